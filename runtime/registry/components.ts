// Named flow-level components (stores, buffers, alarm groups, twins, tier movers).
// Nodes register what they create so the HTTP API and the dashboard can find it; a
// redeploy unregisters on close and registers the reopened instance.
export class ComponentRegistry<T = unknown> {
  private items = new Map<string, T>();
  private waiters = new Map<string, Array<(v: T) => void>>();

  constructor(readonly kind: string) {}

  register(name: string, item: T): () => void {
    if (this.items.has(name)) throw new Error(`a ${this.kind} named "${name}" is already registered; names must be unique`);
    this.items.set(name, item);
    for (const w of this.waiters.get(name) ?? []) w(item);
    this.waiters.delete(name);
    return () => {
      if (this.items.get(name) === item) this.items.delete(name);
    };
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  /** The only registered item when there is exactly one, else the one named `name`. */
  getOrDefault(name?: string): T | undefined {
    if (name) return this.items.get(name);
    if (this.items.size === 1) return this.items.values().next().value;
    return this.items.get('default');
  }

  names(): string[] {
    return [...this.items.keys()].sort();
  }

  entries(): Array<[string, T]> {
    return [...this.items.entries()];
  }
}
