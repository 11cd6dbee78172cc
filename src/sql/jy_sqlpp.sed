# The step after cpp in make's build of journey--<version>.sql (see jy_sqldefs.h):
# #NL# is a line break (the blanks before it go), #Name# an argument trimmed of its blanks.
s/[[:blank:]]*#NL#/\
/g
s/#[[:blank:]]*\([^#]*[^#[:blank:]]\)[[:blank:]]*#/\1/g
