/*
 * ODBC runner of test/clients.sh: what Excel, Power BI (ODBC) and other ODBC tools see through
 * psqlODBC.  Reads the spec written by check.py, binds every parameter as an ODBC application does
 * (strings as SQL_VARCHAR, integers as SQL_INTEGER), prints for each result column the SQL type
 * reported by SQLDescribeCol and size, and every value fetched as SQL_C_CHAR.
 *
 *   odbc_check "CONNECTION STRING" SPEC
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sql.h>
#include <sqlext.h>

static const char *
sqltype_name(SQLSMALLINT t)
{
	switch (t)
	{
		case SQL_CHAR: return "SQL_CHAR";
		case SQL_VARCHAR: return "SQL_VARCHAR";
		case SQL_LONGVARCHAR: return "SQL_LONGVARCHAR";
		case SQL_WCHAR: return "SQL_WCHAR";
		case SQL_WVARCHAR: return "SQL_WVARCHAR";
		case SQL_WLONGVARCHAR: return "SQL_WLONGVARCHAR";
		case SQL_DECIMAL: return "SQL_DECIMAL";
		case SQL_NUMERIC: return "SQL_NUMERIC";
		case SQL_SMALLINT: return "SQL_SMALLINT";
		case SQL_INTEGER: return "SQL_INTEGER";
		case SQL_REAL: return "SQL_REAL";
		case SQL_FLOAT: return "SQL_FLOAT";
		case SQL_DOUBLE: return "SQL_DOUBLE";
		case SQL_BIT: return "SQL_BIT";
		case SQL_TINYINT: return "SQL_TINYINT";
		case SQL_BIGINT: return "SQL_BIGINT";
		case SQL_BINARY: return "SQL_BINARY";
		case SQL_VARBINARY: return "SQL_VARBINARY";
		case SQL_LONGVARBINARY: return "SQL_LONGVARBINARY";
		case SQL_TYPE_DATE: return "SQL_TYPE_DATE";
		case SQL_TYPE_TIME: return "SQL_TYPE_TIME";
		case SQL_TYPE_TIMESTAMP: return "SQL_TYPE_TIMESTAMP";
		case SQL_GUID: return "SQL_GUID";
		default: return NULL;
	}
}

static void
print_esc(const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\') fputs("\\\\", stdout);
		else if (*s == '\t') fputs("\\t", stdout);
		else if (*s == '\n') fputs("\\n", stdout);
		else putchar(*s);
	}
}

static void
print_error(SQLSMALLINT htype, SQLHANDLE h)
{
	SQLCHAR state[6], msg[2048];
	SQLINTEGER native;
	SQLSMALLINT len;

	if (SQLGetDiagRec(htype, h, 1, state, &native, msg, sizeof msg, &len) == SQL_SUCCESS)
	{
		printf("E %s ", (char *) state);
		print_esc((char *) msg);
		putchar('\n');
	}
	else
		printf("E ? unknown ODBC error\n");
}

#define MAXP 16
#define LINE 65536

int
main(int argc, char **argv)
{
	SQLHENV env;
	SQLHDBC dbc;
	FILE *f;
	static char line[LINE], sql[LINE];
	char name[256];

	if (argc != 3)
	{
		fprintf(stderr, "usage: odbc_check CONNSTR SPEC\n");
		return 2;
	}
	SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
	SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (void *) SQL_OV_ODBC3, 0);
	SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
	if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *) argv[1], SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT)))
	{
		print_error(SQL_HANDLE_DBC, dbc);
		return 1;
	}
	f = fopen(argv[2], "r");
	if (!f)
	{
		perror(argv[2]);
		return 2;
	}
	if (!fgets(line, LINE, f))
		return 0;
	while (!feof(f) || line[0])
	{
		char pkind[MAXP][16];
		static char pval[MAXP][4096];
		SQLINTEGER ival[MAXP];
		SQLLEN ind[MAXP];
		int np = 0, i;
		SQLHSTMT st;
		SQLSMALLINT ncol;

		if (strncmp(line, "Q ", 2) != 0)
			break;
		line[strcspn(line, "\n")] = 0;
		snprintf(name, sizeof name, "%s", line + 2);
		if (!fgets(line, LINE, f))
			break;
		line[strcspn(line, "\n")] = 0;
		snprintf(sql, sizeof sql, "%s", line + 2);
		line[0] = 0;
		while (fgets(line, LINE, f) && strncmp(line, "P ", 2) == 0 && np < MAXP)
		{
			char *sp;

			line[strcspn(line, "\n")] = 0;
			sp = strchr(line + 2, ' ');
			*sp = 0;
			snprintf(pkind[np], sizeof pkind[np], "%s", line + 2);
			snprintf(pval[np], sizeof pval[np], "%s", sp + 1);
			np++;
			line[0] = 0;
		}
		printf("Q %s\n", name);
		SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
		if (!SQL_SUCCEEDED(SQLPrepare(st, (SQLCHAR *) sql, SQL_NTS)))
		{
			print_error(SQL_HANDLE_STMT, st);
			SQLFreeHandle(SQL_HANDLE_STMT, st);
			continue;
		}
		for (i = 0; i < np; i++)
		{
			if (strcmp(pkind[i], "int") == 0)
			{
				ival[i] = atoi(pval[i]);
				ind[i] = 0;
				SQLBindParameter(st, i + 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &ival[i], 0, &ind[i]);
			}
			else
			{
				/* strings, intervals, jsonb and step lists: text, as ODBC applications send them */
				if (strcmp(pkind[i], "strings") == 0)
				{
					char tmp[4096];

					snprintf(tmp, sizeof tmp, "{%s}", pval[i]);
					snprintf(pval[i], sizeof pval[i], "%s", tmp);
				}
				ind[i] = SQL_NTS;
				SQLBindParameter(st, i + 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, strlen(pval[i]), 0,
								 pval[i], 0, &ind[i]);
			}
		}
		/* described after SQLPrepare, before SQLExecute: what a BI tool sees when it reads the schema */
		SQLNumResultCols(st, &ncol);
		for (i = 1; i <= ncol; i++)
		{
			SQLCHAR cname[256];
			SQLSMALLINT clen, type, digits, nullable;
			SQLULEN size;
			const char *tn;

			SQLDescribeCol(st, i, cname, sizeof cname, &clen, &type, &size, &digits, &nullable);
			tn = sqltype_name(type);
			if (tn)
				printf("C %s\t%s(%lu)\n", (char *) cname, tn, (unsigned long) size);
			else
				printf("C %s\t%d(%lu)\n", (char *) cname, (int) type, (unsigned long) size);
		}
		if (!SQL_SUCCEEDED(SQLExecute(st)))
		{
			print_error(SQL_HANDLE_STMT, st);
			SQLFreeHandle(SQL_HANDLE_STMT, st);
			continue;
		}
		for (;;)
		{
			SQLRETURN rc = SQLFetch(st);

			if (rc == SQL_NO_DATA)
				break;
			if (!SQL_SUCCEEDED(rc))
			{
				print_error(SQL_HANDLE_STMT, st);
				break;
			}
			fputs("R ", stdout);
			for (i = 1; i <= ncol; i++)
			{
				static char buf[1 << 20];
				SQLLEN len;

				if (i > 1)
					putchar('\t');
				rc = SQLGetData(st, i, SQL_C_CHAR, buf, sizeof buf, &len);
				if (rc == SQL_SUCCESS_WITH_INFO)
					fputs("!TRUNCATED!", stdout);
				if (len == SQL_NULL_DATA)
					fputs("\\N", stdout);
				else
					print_esc(buf);
			}
			putchar('\n');
		}
		SQLFreeHandle(SQL_HANDLE_STMT, st);
	}
	SQLDisconnect(dbc);
	return 0;
}
