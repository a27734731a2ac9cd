// Process entry: starts Historian and shuts it down gracefully on SIGINT/SIGTERM
// (every node closed, every store flushed); a second signal forces the exit.
import { startHistorian, type Historian } from './app';

let historian: Historian | null = null;
let signals = 0;

function onSignal(sig: NodeJS.Signals): void {
  signals++;
  if (signals > 1 || !historian) {
    console.error(`[historian] ${sig} again: forcing exit`);
    process.exit(1);
  }
  console.log(`[historian] ${sig}: shutting down (send again to force)`);
  const h = historian;
  const timeout = setTimeout(() => {
    console.error('[historian] shutdown timed out: forcing exit');
    process.exit(1);
  }, h.settings.historian.shutdownTimeoutMs);
  timeout.unref();
  h.stop().then(
    () => process.exit(0),
    (e) => {
      console.error('[historian] error during shutdown:', e);
      process.exit(1);
    },
  );
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

startHistorian().then(
  (h) => { historian = h; },
  (e) => {
    console.error(`[historian] failed to start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
