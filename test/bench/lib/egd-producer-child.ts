// An EGD producer as a child process for the device benchmark: argv = port, exchange id,
// data bytes, seconds. Sends productions back to back (yielding to the event loop every 64)
// and prints {"sent":N,"seconds":S} when done.
import { encodeEgdProduction } from '../../helpers/egd-producer';
import dgram from 'node:dgram';

const [port, exchangeId, bytes, seconds] = process.argv.slice(2).map(Number);
const socket = dgram.createSocket('udp4');
const opts = { host: '127.0.0.1', port, producerId: '10.0.0.5', exchangeId };
const data = Buffer.alloc(bytes);
for (let i = 0; i < bytes; i += 4) data.writeFloatLE(i / 4 + 0.5, i);
let sent = 0;
const t0 = performance.now();
function burst(): void {
  if (performance.now() - t0 >= seconds * 1000) {
    console.log(JSON.stringify({ sent, seconds: (performance.now() - t0) / 1000 }));
    socket.close();
    return;
  }
  let pending = 64;
  for (let i = 0; i < 64; i++) {
    data.writeUInt32LE(sent, 0);
    socket.send(encodeEgdProduction(opts, sent + 1, Date.now(), data), port, '127.0.0.1', () => { if (--pending === 0) setImmediate(burst); });
    sent++;
  }
}
burst();
