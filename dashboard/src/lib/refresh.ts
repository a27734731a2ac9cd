// Loading a view's data while it is on the page: once when it connects, again every
// `everyMs` if given, and never after it disconnects (no timer left running on a view that
// is gone). Views add it with `new Refresh(this, () => this.load(), 15_000)` instead of
// writing connectedCallback / disconnectedCallback / setInterval each time.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class Refresh implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(host: ReactiveControllerHost, private readonly load: () => unknown, private readonly everyMs?: number) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.load();
    if (this.everyMs !== undefined && this.timer === null) this.timer = setInterval(() => void this.load(), this.everyMs);
  }

  hostDisconnected(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
