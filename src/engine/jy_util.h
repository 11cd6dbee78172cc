/*
 * jy_util.h — small helpers shared by several engines (no postgres.h).
 */
#ifndef JY_UTIL_H
#define JY_UTIL_H

/* the value of a hexadecimal digit (either case), -1 for any other character */
int			jy_hex_digit(int c);

/*
 * The character a one-letter JSON escape \c stands for (c one of " \ / b f n
 * r t), -1 for any other c (\u is not one-letter: the caller reads it).
 */
int			jy_json_escape(int c);

#endif
