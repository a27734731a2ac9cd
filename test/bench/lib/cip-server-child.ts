// The CIP test server as a child process for the device benchmark (its CPU is not ours):
// argv[2] = number of REAL tags Tag0 … TagN-1; prints {"ready":true,"port":N}, then the
// request counters as JSON on each "counters" line read from stdin.
import { startCipServer, type TagDef } from '../../helpers/cip-server/server';

const n = Number(process.argv[2] ?? 500);
const tags: Record<string, TagDef> = {};
for (let i = 0; i < n; i++) tags[`Tag${i}`] = { type: 'REAL', value: i * 0.5 };
startCipServer({ tags }).then((srv) => {
  console.log(JSON.stringify({ ready: true, port: srv.port }));
  process.stdin.on('data', (d) => {
    if (String(d).includes('counters')) { console.log(JSON.stringify(srv.counters)); srv.resetCounters(); }
  });
}, (e) => { console.error(e); process.exit(1); });
