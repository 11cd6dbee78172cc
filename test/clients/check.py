#!/usr/bin/python3
"""Client suite: every documented report query, from every driver, bound the driver's natural way.

Run by test/clients.sh (which installs the Debian packages and starts nothing: it uses the cluster of
test/run.sh through PGHOST/PGPORT/PGUSER).  For each query in QUERIES and each client:
  - the query runs with its parameters bound the way a user of that client binds them,
  - every column arrives as the type documented in doc/clients.md (EXPECTED_TYPES below),
  - every value equals what psql prints (the reference), after parsing each client's representation.
Clients: psql (reference), psycopg2, psycopg 3, pyodbc + psqlODBC, a C program on psqlODBC
(SQLDescribeCol types: what Excel / Power BI ODBC see), node-postgres (when npm can install it), pgjdbc with setArray(text[]), setArray(varchar[]),
setObject(String[]) and with stringtype=unspecified.  Prints one line per check and
"N passed, N failed" at the end.

    check.py --doc    prints the type table of doc/clients.md from EXPECTED_TYPES
"""
import datetime
import decimal
import json
import os
import re
import socket
import subprocess
import sys
import threading

PSQL = os.environ.get('JOURNEY_PSQL', 'psql')
DB = os.environ.get('JOURNEY_CLIENTS_DB', 'journey_clients')
WORK = os.environ.get('JOURNEY_CLIENTS_WORK', '/tmp')
STEPS = 'product_view,add_to_cart,checkout,purchase'

# name, documented in, SQL with @P@ for each parameter, parameters (kind, value)
# kinds: interval, string, strings (a step list), int, jsonb
QUERIES = [
    ('session_kpis', 'doc/sessionize.md',
     "SELECT (session_kpis(rollup(s))).* FROM (SELECT user_id, session_stats(ts, @P@) AS s FROM events GROUP BY user_id) per_user",
     [('interval', '30 minutes')]),
    ('sessionize', 'doc/sessionize.md',
     "SELECT user_id, ts, event, sessionize(ts, @P@) OVER w AS session FROM events WHERE user_id = @P@ "
     "WINDOW w AS (PARTITION BY user_id ORDER BY ts) ORDER BY ts",
     [('interval', '30 minutes'), ('int', '7')]),
    ('funnel_report', 'doc/funnel.md',
     "SELECT * FROM funnel_report((SELECT funnel_summary(t) FROM (SELECT funnel_times(ts, @P@, event, @P@) AS t "
     "FROM events GROUP BY user_id) u))",
     [('interval', '1 day'), ('strings', STEPS)]),
    ('funnel_step_names_mode', 'doc/funnel.md',
     "SELECT lvl AS deepest_step, count(*) AS users FROM (SELECT user_id, funnel_step(ts, @P@, event, @P@, @P@) AS lvl "
     "FROM events GROUP BY user_id) u GROUP BY lvl ORDER BY lvl",
     [('interval', '1 day'), ('strings', STEPS), ('string', 'strict_order')]),
    ('funnel_step_conditions_mode', 'doc/funnel.md',
     "SELECT lvl AS deepest_step, count(*) AS users FROM (SELECT user_id, funnel_step(ts, @P@, @P@, event = 'product_view', "
     "event = 'add_to_cart', event = 'checkout', event = 'purchase') AS lvl FROM events GROUP BY user_id) u GROUP BY lvl ORDER BY lvl",
     [('interval', '1 day'), ('string', 'strict_once')]),
    ('funnel_journey', 'doc/funnel.md',
     "SELECT funnel_step(j, @P@, @P@) AS deepest_step, count(*) AS users "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id) x GROUP BY 1 ORDER BY 1",
     [('interval', '1 day'), ('strings', STEPS)]),
    ('retention_matrix', 'doc/retention.md',
     "SELECT * FROM retention_matrix((SELECT retention_summary(user_id, ts, @P@, @P@, @P@) FROM events)) ORDER BY cohort, period_index",
     [('string', 'week'), ('int', '8'), ('string', 'UTC')]),
    ('retention_lifecycle', 'doc/retention.md',
     "SELECT * FROM retention_lifecycle((SELECT retention_summary(user_id, ts, @P@, @P@, @P@) FROM events)) ORDER BY period",
     [('string', 'week'), ('int', '12'), ('string', 'UTC')]),
    ('retention_journey_events', 'doc/retention.md',
     "SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(j, @P@, @P@, @P@, @P@, @P@) AS r "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id) x) y)) ORDER BY cohort, period_index",
     [('string', 'page_view'), ('string', 'purchase'), ('string', 'week'), ('int', '4'), ('string', 'UTC')]),
    ('journey_sessions', 'doc/journey.md',
     "SELECT x.user_id, s.session_number, length(s.session) AS events, duration_s(s.session) AS duration_s "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events WHERE user_id <= @P@ GROUP BY user_id) x, journey_sessions(x.j, @P@) s "
     "ORDER BY 1, 2",
     [('int', '20'), ('interval', '30 minutes')]),
    ('journey_next_events', 'doc/patterns.md',
     "SELECT journey_next_events(j, @P@, @P@) AS next, count(*) AS users "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id) x GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
     [('string', 'add_to_cart'), ('int', '2')]),
    ('kmeans_clusters', 'doc/kmeans.md',
     "SELECT c.* FROM (SELECT kmeans_segment(f, @P@, @P@) AS m FROM (SELECT ARRAY[count(*) FILTER (WHERE event = 'purchase'), "
     "count(*)]::float8[] AS f FROM events GROUP BY user_id) u) x, kmeans_clusters(x.m) c ORDER BY cluster",
     [('int', '3'), ('jsonb', '{"seed": 42}')]),
    ('journey_matches', 'doc/patterns.md',
     "SELECT x.user_id, m.match_no, m.start_pos, m.end_pos, m.start_ts, m.end_ts, m.end_ts - m.start_ts AS took, "
     "extract(epoch FROM m.end_ts - m.start_ts)::float8 AS took_s, m.events, m.next_event "
     "FROM (SELECT user_id, array_agg(ts ORDER BY ts) AS ts, array_agg(event ORDER BY ts) AS ev FROM events WHERE user_id <= @P@ GROUP BY user_id) x, "
     "journey_matches(x.ts, x.ev, @P@) m ORDER BY 1, 2",
     [('int', '10'), ('string', 'product_view .* add_to_cart')]),
    ('journey_match_count', 'doc/patterns.md',
     "SELECT count(*) FILTER (WHERE journey_match(j, @P@)) AS users_matched, count(*) AS users "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id) x",
     [('string', 'product_view .* add_to_cart within 30 minutes')]),
    ('journey_transitions', 'doc/patterns.md',
     "SELECT from_event, to_event, count(*) AS transitions, avg(gap_s) AS avg_gap_s "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id) x, journey_transitions(j) "
     "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT @P@",
     [('int', '10')]),
    ('journey_sankey', 'doc/patterns.md',
     "SELECT * FROM journey_sankey((SELECT array_agg(j) FROM (SELECT journey_agg(ts, event) AS j FROM events GROUP BY user_id) x), @P@, @P@) "
     "ORDER BY source, target",
     [('int', '4'), ('int', '5')]),
    ('journey_json', 'doc/clients.md',
     "SELECT user_id, j::jsonb AS journey_json, j::text AS journey_text, duration_s(j) AS duration_s "
     "FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events WHERE user_id <= @P@ GROUP BY user_id) x ORDER BY user_id",
     [('int', '5')]),
    ('summaries_json', 'doc/clients.md',
     "SELECT (SELECT session_stats(ts, @P@)::jsonb FROM events) AS session_stats, "
     "(SELECT funnel_summary(t)::jsonb FROM (SELECT funnel_times(ts, @P@, event, @P@) t FROM events GROUP BY user_id) u) AS funnel, "
     "(SELECT rollup(r)::jsonb FROM (SELECT cohort_retention(ts, @P@, 4) r FROM events GROUP BY user_id) c) AS retention",
     [('interval', '30 minutes'), ('interval', '1 day'), ('strings', STEPS), ('string', 'month')]),
]

# PostgreSQL type -> what each client reports (the table of doc/clients.md)
EXPECTED_TYPES = {
    #  pg type                  JDBC        ODBC (SQLDescribeCol)         psycopg2/psycopg/pyodbc Python type
    'integer': ('INTEGER', 'SQL_INTEGER', 'int'),
    'bigint': ('BIGINT', 'SQL_BIGINT', 'int'),
    'double precision': ('DOUBLE', 'SQL_FLOAT', 'float'),
    'numeric': ('NUMERIC', 'SQL_NUMERIC', 'Decimal'),
    'text': ('VARCHAR', 'SQL_LONGVARCHAR', 'str'),
    'date': ('DATE', 'SQL_TYPE_DATE', 'date'),
    'timestamp with time zone': ('TIMESTAMP', 'SQL_TYPE_TIMESTAMP', 'datetime'),
    'interval': ('OTHER', 'SQL_VARCHAR', 'timedelta'),
    'jsonb': ('OTHER', 'SQL_VARCHAR', 'dict'),
    'text[]': ('ARRAY', 'SQL_VARCHAR', 'list'),
    'double precision[]': ('ARRAY', 'SQL_VARCHAR', 'list'),
}
# node-postgres 8 with its default type parsers (JavaScript types)
NODE_TYPES = {'integer': 'number', 'bigint': 'string', 'double precision': 'number', 'numeric': 'string',
              'text': 'string', 'date': 'Date', 'timestamp with time zone': 'Date', 'interval': 'PostgresInterval',
              'jsonb': 'Object', 'text[]': 'Array', 'double precision[]': 'Array'}
# pyodbc sees psqlODBC's types, not psycopg's
PYODBC_TYPES = {'interval': 'str', 'jsonb': 'str', 'text[]': 'str', 'double precision[]': 'str', 'numeric': 'Decimal',
                'timestamp with time zone': 'datetime'}

passed = 0
failed = 0
OBSERVED = {}   # (query, column, pg type) -> {client: type as reported}


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL %s%s' % (what, (': ' + detail) if detail else ''))


# ---- a TCP port for pgjdbc (the test cluster listens on a Unix socket only) ----------------------
def tcp_proxy(sockpath):
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(16)

    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def loop():
        while True:
            c, _ = ls.accept()
            u = socket.socket(socket.AF_UNIX)
            u.connect(sockpath)
            threading.Thread(target=pipe, args=(c, u), daemon=True).start()
            threading.Thread(target=pipe, args=(u, c), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


# ---- parameters ----------------------------------------------------------------------------------
def sql_literal(kind, v):
    q = "'" + v.replace("'", "''") + "'"
    return {'interval': q + '::interval', 'string': q, 'int': v, 'jsonb': q + '::jsonb',
            'strings': "ARRAY[%s]::text[]" % ', '.join("'%s'" % s for s in v.split(','))}[kind]


def py_param(kind, v, driver):
    if kind == 'int':
        return int(v)
    if kind == 'strings':
        return '{%s}' % v if driver == 'pyodbc' else v.split(',')
    if kind == 'interval' and driver in ('psycopg2', 'psycopg'):
        n, unit = v.split()
        return datetime.timedelta(**{unit if unit.endswith('s') else unit + 's': int(n)})
    return v


def with_params(sql, params, mark):
    parts = sql.split('@P@')
    assert len(parts) == len(params) + 1, sql
    out = parts[0]
    for (kind, v), p in zip(params, parts[1:]):
        out += (mark(kind, v) if callable(mark) else mark) + p
    return out


# ---- value normalisation: every client's representation -> one comparable Python value ----------
TS_RE = re.compile(r'^(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?$')
IV_RE = re.compile(r'^(?:(-?\d+) days? ?)?(?:(-)?(\d+):(\d\d):(\d\d(?:\.\d+)?))?$')


def parse_ts(s):
    m = TS_RE.match(s)
    if not m:
        raise ValueError('timestamp %r' % s)
    d = datetime.datetime.strptime(m.group(1), '%Y-%m-%d')
    us = int(round(float('0' + (m.group(5) or '.0')) * 1e6))
    t = d.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=int(m.group(4)), microsecond=us)
    off = m.group(6) or '+00'
    sign = -1 if off[0] == '-' else 1
    off = off[1:].replace(':', '')
    minutes = int(off[:2]) * 60 + (int(off[2:4]) if len(off) > 2 else 0)
    return t.replace(tzinfo=datetime.timezone(sign * datetime.timedelta(minutes=minutes)))


def parse_interval(s):
    m = IV_RE.match(s.strip())
    if not m or not s.strip():
        raise ValueError('interval %r' % s)
    us = int(m.group(1) or 0) * 86400 * 10**6
    if m.group(3) is not None:
        t = (int(m.group(3)) * 3600 + int(m.group(4)) * 60) * 10**6 + int(round(float(m.group(5)) * 1e6))
        us += -t if m.group(2) else t
    return us


def parse_array(s):
    assert s[0] == '{' and s[-1] == '}', s
    out, cur, q, i, body = [], '', False, 0, s[1:-1]
    if body == '':
        return []
    while i < len(body):
        ch = body[i]
        if q:
            if ch == '\\':
                i += 1
                cur += body[i]
            elif ch == '"':
                q = False
            else:
                cur += ch
        elif ch == '"':
            q = True
        elif ch == ',':
            out.append(cur)
            cur = ''
        else:
            cur += ch
        i += 1
    out.append(cur)
    return [None if x == 'NULL' else x for x in out]


def norm(pgtype, v):
    if v is None or v == '\\N':
        return None
    if pgtype in ('integer', 'bigint', 'smallint'):
        return int(v)
    if pgtype == 'double precision':
        return float(v)
    if pgtype == 'numeric':
        return decimal.Decimal(str(v)).normalize()
    if pgtype == 'boolean':
        return v if isinstance(v, bool) else v in ('t', 'true', '1')
    if pgtype == 'date':
        return v.isoformat() if isinstance(v, datetime.date) else str(v)[:10]
    if pgtype == 'timestamp with time zone':
        if isinstance(v, datetime.datetime):
            return v if v.tzinfo else v.replace(tzinfo=datetime.timezone.utc)
        return parse_ts(str(v))
    if pgtype == 'interval':
        if isinstance(v, datetime.timedelta):
            return (v.days * 86400 + v.seconds) * 10**6 + v.microseconds
        return parse_interval(str(v))
    if pgtype == 'jsonb':
        return v if isinstance(v, (dict, list)) else json.loads(v)
    if pgtype.endswith('[]'):
        el = pgtype[:-2]
        items = v if isinstance(v, list) else parse_array(str(v))
        return [norm(el, x) for x in items]
    return str(v)


# ---- clients ----------------------------------------------------------------------------------
def run_psql(sql):
    """reference: psql's text output and the column types (\\gdesc)"""
    env = dict(os.environ, PGDATABASE=DB)
    desc = subprocess.run([PSQL, '-X', '-A', '-t', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1'], input=sql + ' \\gdesc\n',
                          capture_output=True, text=True, env=env)
    if desc.returncode:
        return {'error': desc.stderr.strip()}
    cols = [tuple(l.split('\x1f')) for l in desc.stdout.splitlines() if l]
    out = subprocess.run([PSQL, '-X', '-A', '-t', '-F', '\x1f', '-P', 'null=\\N', '-v', 'ON_ERROR_STOP=1', '-c', sql],
                         capture_output=True, text=True, env=env)
    if out.returncode:
        return {'error': out.stderr.strip()}
    rows = [l.split('\x1f') for l in out.stdout.split('\n') if l != '']
    return {'cols': cols, 'rows': rows}


def run_python(driver, q, connect):
    name, _, sql, params = q
    try:
        conn = connect()
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        return {'error': 'connect: %s' % e}
    try:
        cur = conn.cursor()
        mark = '?' if driver == 'pyodbc' else '%s'
        if driver != 'pyodbc':
            sql = sql.replace('%', '%%')
        cur.execute(with_params(sql, params, mark), [py_param(k, v, driver) for k, v in params])
        rows = [list(r) for r in cur.fetchall()]
        cols = [d[0] for d in cur.description]
        return {'cols': cols, 'rows': rows}
    except Exception as e:  # noqa: BLE001
        return {'error': str(e).strip()}
    finally:
        conn.close()


def parse_runner_output(text):
    res, cur = {}, None
    unesc = lambda s: s.replace('\\t', '\t').replace('\\n', '\n').replace('\\\\', '\\')  # noqa: E731
    for line in text.split('\n'):
        if line.startswith('Q '):
            cur = res[line[2:]] = {'cols': [], 'rows': []}
        elif line.startswith('C '):
            n, t = line[2:].split('\t')
            cur['cols'].append((n, t))
        elif line.startswith('R '):
            cur['rows'].append([None if x == '\\N' else unesc(x) for x in line[2:].split('\t')])
        elif line.startswith('E '):
            cur['error'] = unesc(line[2:])
    return res


def write_spec(path):
    with open(path, 'w') as f:
        for name, _, sql, params in QUERIES:
            f.write('Q %s\nS %s\n' % (name, with_params(sql, params, '?')))
            for k, v in params:
                f.write('P %s %s\n' % (k, v))


def compare(client, name, ref, got, types_col):
    """types_col: index into EXPECTED_TYPES tuples, or a callable(pgtype) -> expected, or None"""
    what = '%s %s' % (client, name)
    if 'error' in got:
        check(False, what + ' runs', got['error'][:400])
        return
    check(True, what + ' runs')
    pgtypes = [t for _, t in ref['cols']]
    names = [c if isinstance(c, str) else c[0] for c in got['cols']]
    check(names == [n for n, _ in ref['cols']], what + ' column names', '%s vs %s' % (names, ref['cols']))
    for (n, pgt), c in zip(ref['cols'], got['cols']):
        if isinstance(c, tuple):
            OBSERVED.setdefault((name, n, pgt), {})[client] = c[1]
    if types_col is not None:
        bad = []
        for (n, pgt), c in zip(ref['cols'], got['cols']):
            exp = types_col(pgt) if callable(types_col) else EXPECTED_TYPES.get(pgt, (None,) * 3)[types_col]
            have = c[1] if isinstance(c, tuple) else None
            if exp is not None and have is not None and not have.split('(')[0] == exp:
                bad.append('%s %s: %s, documented %s' % (n, pgt, have, exp))
            if exp is None:
                bad.append('%s: no documented type for %s' % (n, pgt))
        check(not bad, what + ' column types', '; '.join(bad))
    if len(got['rows']) != len(ref['rows']):
        check(False, what + ' values', '%d rows, psql %d' % (len(got['rows']), len(ref['rows'])))
        return
    diffs = []
    for i, (rr, gr) in enumerate(zip(ref['rows'], got['rows'])):
        for j, pgt in enumerate(pgtypes):
            try:
                a, b = norm(pgt, rr[j]), norm(pgt, gr[j])
            except Exception as e:  # noqa: BLE001
                diffs.append('row %d col %s: cannot parse (%s)' % (i + 1, names[j], e))
                continue
            if a != b:
                diffs.append('row %d col %s: %r, psql %r' % (i + 1, names[j], gr[j], rr[j]))
    check(not diffs, what + ' values equal psql', '; '.join(diffs[:5]))


def python_types(got, ref, table):
    """the Python type of each column's first non-NULL value"""
    cols = []
    for j, c in enumerate(got.get('cols', [])):
        vals = [r[j] for r in got['rows'] if r[j] is not None]
        cols.append((c, type(vals[0]).__name__ if vals else None))
    got['cols'] = cols
    return got


def main():
    if '--doc' in sys.argv:
        print('| PostgreSQL type | JDBC (`java.sql.Types`) | ODBC (`SQLDescribeCol`) | psycopg2 / psycopg 3 | pyodbc | node-postgres |')
        print('|---|---|---|---|---|---|')
        for t, (j, o, p) in EXPECTED_TYPES.items():
            print('| `%s` | `%s` | `%s` | `%s` | `%s` | `%s` |' % (t, j, o, p, PYODBC_TYPES.get(t, p), NODE_TYPES[t]))
        return 0
    clients = sys.argv[1:] or ['psycopg2', 'psycopg', 'pyodbc', 'odbc', 'node', 'jdbc']
    refs = {}
    for q in QUERIES:
        name, _, sql, params = q
        refs[name] = run_psql(with_params(sql, params, sql_literal))
        check('error' not in refs[name], 'psql %s runs' % name, refs[name].get('error', ''))
    host, port, user = os.environ['PGHOST'], os.environ.get('PGPORT', '5432'), os.environ.get('PGUSER', 'postgres')
    ok_refs = [q for q in QUERIES if 'error' not in refs[q[0]]]

    if 'psycopg2' in clients:
        import psycopg2
        for q in ok_refs:
            got = run_python('psycopg2', q, lambda: psycopg2.connect(host=host, port=port, user=user, dbname=DB))
            compare('psycopg2', q[0], refs[q[0]], python_types(got, refs[q[0]], None), 2)
    if 'psycopg' in clients:
        import psycopg
        for q in ok_refs:
            got = run_python('psycopg', q, lambda: psycopg.connect(host=host, port=port, user=user, dbname=DB))
            compare('psycopg3', q[0], refs[q[0]], python_types(got, refs[q[0]], None), 2)
    odbc_conn = 'Driver={PostgreSQL Unicode};Servername=%s;Port=%s;Database=%s;Username=%s' % (host, port, DB, user)
    if 'pyodbc' in clients:
        import pyodbc
        for q in ok_refs:
            got = run_python('pyodbc', q, lambda: pyodbc.connect(odbc_conn, autocommit=True))
            compare('pyodbc', q[0], refs[q[0]], python_types(got, refs[q[0]], None),
                    lambda t: PYODBC_TYPES.get(t, EXPECTED_TYPES.get(t, (None,) * 3)[2]))
    spec = os.path.join(WORK, 'clients.spec')
    write_spec(spec)
    if 'odbc' in clients:
        for label, extra in (('odbc', ''), ('odbc UnknownsAsLongVarchar=1', ';UnknownsAsLongVarchar=1')):
            out = subprocess.run([os.path.join(WORK, 'odbc_check'), odbc_conn + extra, spec], capture_output=True, text=True)
            check(out.returncode == 0, label + ' runner', out.stderr[-400:])
            res = parse_runner_output(out.stdout)
            for q in ok_refs:
                got = res.get(q[0], {'error': 'no output'})
                if extra:
                    types = lambda t: 'SQL_LONGVARCHAR' if t in ('jsonb', 'text') or t.endswith('[]') else EXPECTED_TYPES.get(t, (None,) * 3)[1]  # noqa: E731
                else:
                    types = 1
                compare(label, q[0], refs[q[0]], got, types)
    if 'node' in clients:
        node_path = os.environ.get('JOURNEY_CLIENTS_NODE_PATH', '')
        if not node_path:
            print('node-postgres: skipped (no node, or npm could not install pg; see test/clients.sh)')
        else:
            env = dict(os.environ, NODE_PATH=node_path, PGDATABASE=DB)
            out = subprocess.run(['node', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'node_check.js'), spec],
                                 capture_output=True, text=True, env=env)
            check(out.returncode == 0, 'node-postgres runner', out.stderr[-400:])
            res = parse_runner_output(out.stdout)
            for q in ok_refs:
                compare('node-postgres', q[0], refs[q[0]], res.get(q[0], {'error': 'no output'}), lambda t: NODE_TYPES.get(t))
    if 'jdbc' in clients:
        port_tcp = tcp_proxy(os.path.join(host, '.s.PGSQL.%s' % port))
        url = 'jdbc:postgresql://127.0.0.1:%d/%s?user=%s' % (port_tcp, DB, user)
        cp = '/usr/share/java/postgresql.jar:' + WORK
        for label, u, mode in (('jdbc setArray(text[])', url, 'text'), ('jdbc setArray(varchar[])', url, 'varchar'),
                               ('jdbc setObject(String[])', url, 'object'),
                               ('jdbc stringtype=unspecified', url + '&stringtype=unspecified', 'object'),
                               ('jdbc stringtype=unspecified setString("{a,b}")', url + '&stringtype=unspecified', 'string')):
            out = subprocess.run(['java', '-cp', cp, 'JdbcCheck', u, mode, spec], capture_output=True, text=True)
            check(out.returncode == 0, label + ' runner', out.stderr[-400:])
            res = parse_runner_output(out.stdout)
            for q in ok_refs:
                compare(label, q[0], refs[q[0]], res.get(q[0], {'error': 'no output'}), 0)
        # the wrong binding fails and names the right form
        out = subprocess.run(['java', '-cp', cp, 'JdbcCheck', url, 'string', spec], capture_output=True, text=True)
        res = parse_runner_output(out.stdout)
        err = res.get('funnel_report', {}).get('error', '')
        check(err.startswith('42804') and 'step_names text[]' in err,
              'jdbc setString("{a,b}") without stringtype=unspecified fails naming the step-name form', err[:300])
    if os.environ.get('JOURNEY_CLIENTS_MARKDOWN'):
        write_markdown(os.environ['JOURNEY_CLIENTS_MARKDOWN'])
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def write_markdown(path):
    """the per-function type table of doc/clients.md, from what the clients reported in this run"""
    show = [('jdbc setObject(String[])', 'JDBC'), ('odbc', 'ODBC'), ('odbc UnknownsAsLongVarchar=1', 'ODBC, UnknownsAsLongVarchar=1'),
            ('psycopg2', 'psycopg2'), ('psycopg3', 'psycopg 3'), ('pyodbc', 'pyodbc'), ('node-postgres', 'node-postgres')]
    with open(path, 'w') as f:
        f.write('| query | column | PostgreSQL | %s |\n' % ' | '.join(h for _, h in show))
        f.write('|---|---|---|%s\n' % ('---|' * len(show)))
        last = None
        for (q, col, pgt), seen in OBSERVED.items():
            f.write('| %s | `%s` | `%s` | %s |\n' % ('`%s`' % q if q != last else '', col, pgt,
                                                    ' | '.join('`%s`' % seen.get(c, '-') for c, _ in show)))
            last = q


if __name__ == '__main__':
    sys.exit(main())
