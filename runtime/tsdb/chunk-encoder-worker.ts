// The chunk encoder thread (chunk-encoder.ts): columns in, encoded chunk out (moved back).
import { parentPort } from 'node:worker_threads';
import { encodeChunk } from './codec';

parentPort!.on('message', (m: { id: number; ts: Float64Array; values: Float64Array; quality: Uint16Array; n: number }) => {
  try {
    const bytes = encodeChunk(m.ts, m.values, m.quality, m.n);
    parentPort!.postMessage({ id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
