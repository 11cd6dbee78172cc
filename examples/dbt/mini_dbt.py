#!/usr/bin/env python3
"""A minimal stand-in for `dbt run` / `dbt test` (dbt itself is not installable here).

It renders the models with Jinja (config, ref, source, this, is_incremental), orders them by their refs,
and materializes them with the SQL dbt-postgres generates for `table` and `incremental` (delete+insert on
unique_key), each model in one transaction through psql.  `test` runs the schema.yml tests unique and
not_null.  Connection: the PG* environment variables.  Compiled SQL goes to <target>/compiled/<model>.sql.

    mini_dbt.py run  --project DIR --schema S [--full-refresh] [--target DIR]
    mini_dbt.py test --project DIR --schema S
"""
import argparse
import glob
import os
import subprocess
import sys

import jinja2
import yaml

PSQL = os.environ.get("PSQL", os.path.join(os.environ.get("JOURNEY_PGBIN", "/usr/lib/postgresql/15/bin"), "psql"))


def psql(sql, capture=False):
    r = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql] if capture else
                       [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", "-"],
                       input=None if capture else sql, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("mini_dbt: psql failed:\n%s\n--- SQL ---\n%s" % (r.stderr, sql))
    return r.stdout.strip()


def relation_exists(schema, name):
    return psql("SELECT to_regclass('%s.%s') IS NOT NULL" % (schema, name), capture=True) == "t"


def load_project(project):
    sources = {}
    for f in glob.glob(os.path.join(project, "models", "*.yml")):
        doc = yaml.safe_load(open(f)) or {}
        for src in doc.get("sources", []):
            for t in src.get("tables", []):
                sources[(src["name"], t["name"])] = "%s.%s" % (src.get("schema", src["name"]), t["name"])
    models = {os.path.basename(f)[:-4]: open(f).read()
              for f in sorted(glob.glob(os.path.join(project, "models", "*.sql")))}
    return sources, models


def render(text, name, schema, sources, incremental_ok, deps=None):
    cfg = {"materialized": "table"}

    def config(**kw):
        cfg.update(kw)
        return ""

    def ref(m):
        if deps is not None:
            deps.add(m)
        return "%s.%s" % (schema, m)

    def source(a, b):
        return sources[(a, b)]

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    # config() is evaluated during rendering, so is_incremental() reads the config of this render
    out = env.from_string(text).render(
        config=config, ref=ref, source=source, this="%s.%s" % (schema, name),
        is_incremental=lambda: cfg["materialized"] == "incremental" and incremental_ok)
    return out, cfg


def order(models, schema, sources):
    deps = {}
    for name, text in models.items():
        d = set()
        render(text, name, schema, sources, False, d)
        deps[name] = d
    done, seq = set(), []

    def visit(n, stack):
        if n in done:
            return
        if n in stack:
            sys.exit("mini_dbt: ref cycle at %s" % n)
        for d in sorted(deps[n]):
            visit(d, stack | {n})
        done.add(n)
        seq.append(n)
    for n in sorted(models):
        visit(n, set())
    return seq


def materialize(name, sql, cfg, schema, full_refresh):
    rel = "%s.%s" % (schema, name)
    if cfg["materialized"] == "incremental" and not full_refresh and relation_exists(schema, name):
        key = cfg["unique_key"]
        if cfg.get("incremental_strategy", "delete+insert") != "delete+insert":
            sys.exit("mini_dbt: only the delete+insert strategy is implemented")
        # dbt-postgres: get_delete_insert_merge_sql
        return ("create temporary table \"%s__dbt_tmp\" as (\n%s\n);\n"
                "delete from %s where (%s) in (select (%s) from \"%s__dbt_tmp\");\n"
                "insert into %s select * from \"%s__dbt_tmp\";\n"
                % (name, sql, rel, key, key, name, rel, name))
    # table (and the first or a full-refresh run of an incremental model): build, swap, drop
    return ("create table %s__dbt_tmp as (\n%s\n);\n"
            "drop table if exists %s cascade;\n"
            "alter table %s__dbt_tmp rename to %s;\n" % (rel, sql, rel, rel, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["run", "test"])
    ap.add_argument("--project", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--full-refresh", action="store_true")
    ap.add_argument("--target")
    a = ap.parse_args()
    sources, models = load_project(a.project)
    if a.command == "test":
        failures = 0
        for f in glob.glob(os.path.join(a.project, "models", "*.yml")):
            for m in (yaml.safe_load(open(f)) or {}).get("models", []):
                for c in m.get("columns", []):
                    for t in c.get("tests", []):
                        rel = "%s.%s" % (a.schema, m["name"])
                        q = {"unique": "SELECT count(*) FROM (SELECT %s FROM %s GROUP BY 1 HAVING count(*) > 1) x",
                             "not_null": "SELECT count(*) FROM %s WHERE %s IS NULL"}[t]
                        q = q % ((c["name"], rel) if t == "unique" else (rel, c["name"]))
                        n = int(psql(q, capture=True))
                        print("%s %s.%s %s" % ("PASS" if n == 0 else "FAIL", m["name"], c["name"], t))
                        failures += n != 0
        sys.exit(1 if failures else 0)
    psql("CREATE SCHEMA IF NOT EXISTS %s" % a.schema, capture=True)
    for name in order(models, a.schema, sources):
        exists = relation_exists(a.schema, name)
        sql, cfg = render(models[name], name, a.schema, sources, exists and not a.full_refresh)
        if a.target:
            os.makedirs(os.path.join(a.target, "compiled"), exist_ok=True)
            open(os.path.join(a.target, "compiled", name + ".sql"), "w").write(sql)
        psql(materialize(name, sql, cfg, a.schema, a.full_refresh))
        kind = cfg["materialized"] + (" (incremental run)" if cfg["materialized"] == "incremental" and exists
                                      and not a.full_refresh else "")
        print("OK %s.%s %s" % (a.schema, name, kind))


if __name__ == "__main__":
    main()
