/*
 * jy_util.c — small helpers shared by several engines (jy_util.h).
 */
#include "jy_util.h"

#include <string.h>

int
jy_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
jy_json_escape(int c)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *p = c != '\0' ? strchr(from, c) : NULL;

	return p != NULL ? to[p - from] : -1;
}
