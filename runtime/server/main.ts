// Process entry: starts Historian and shuts it down gracefully on SIGINT/SIGTERM
// (every node closed, every store flushed); a second signal forces the exit.
import { startHistorian, type Historian } from './app';

/**
 * The same signal again within this time is the same stop request delivered twice, not a
 * second one: a service manager that signals every process of the service (systemd's
 * default) reaches the server both directly and through the npm start launcher.
 */
const REPEAT_MS = 1000;

let historian: Historian | null = null;
let first: { sig: NodeJS.Signals; at: number } | null = null;

function onSignal(sig: NodeJS.Signals): void {
  if (!historian) {
    console.error(`[historian] ${sig} before the server was ready: exiting`);
    process.exit(1);
  }
  if (first) {
    if (sig === first.sig && Date.now() - first.at < REPEAT_MS) return;
    console.error(`[historian] ${sig} again: forcing exit`);
    process.exit(1);
  }
  first = { sig, at: Date.now() };
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
