// Baseline server for the HTTP ingest benchmark: parses the JSON body and answers 202,
// nothing else — the ceiling of loopback HTTP + JSON on this machine.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const items = JSON.parse(Buffer.concat(chunks).toString());
    res.writeHead(202, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ accepted: items.length }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 }));
});
