// node-postgres runner of test/clients.sh: reads the spec written by check.py, binds parameters as a
// node-postgres user does (JS strings, numbers, and a JS array for a step list), and prints per query the
// JavaScript type each column arrives as with node-postgres's default type parsers, then the values as
// the server's text (a second run with text parsers, so nothing is lost to JS Date's milliseconds).
//   NODE_PATH=... node node_check.js SPEC      (PGHOST/PGPORT/PGUSER/PGDATABASE from the environment)
'use strict';
const fs = require('fs');
const { Client } = require('pg');

function jsType(v) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return 'Array';
  if (v instanceof Date) return 'Date';
  if (typeof v === 'object') return v.constructor && v.constructor.name !== 'Object' ? v.constructor.name : 'Object';
  return typeof v;
}
const esc = (s) => s === null ? '\\N' : String(s).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
const rawTypes = { getTypeParser: () => (v) => v };

(async () => {
  const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
  const c = new Client();
  await c.connect();
  let i = 0;
  while (i < lines.length && lines[i].startsWith('Q ')) {
    const name = lines[i++].slice(2);
    const sql = lines[i++].slice(2);
    const params = [];
    while (i < lines.length && lines[i].startsWith('P ')) {
      const p = lines[i++].slice(2);
      const sp = p.indexOf(' ');
      const kind = p.slice(0, sp), v = p.slice(sp + 1);
      params.push(kind === 'int' ? parseInt(v, 10) : kind === 'strings' ? v.split(',') : v);
    }
    let n = 0;
    const text = sql.replace(/\?/g, () => '$' + (++n));
    console.log('Q ' + name);
    try {
      const typed = await c.query({ text, values: params, rowMode: 'array' });
      const raw = await c.query({ text, values: params, rowMode: 'array', types: rawTypes });
      typed.fields.forEach((f, j) => {
        const seen = typed.rows.map((r) => jsType(r[j])).find((t) => t !== null);
        console.log('C ' + f.name + '\t' + (seen || 'null'));
      });
      for (const r of raw.rows) console.log('R ' + r.map(esc).join('\t'));
    } catch (e) {
      console.log('E ' + esc((e.code || '?') + ' ' + e.message));
    }
  }
  await c.end();
})().catch((e) => { console.error(e); process.exit(1); });
