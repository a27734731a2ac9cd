// Dependency order of calc tags and cycle detection, iterative so a long chain of calc
// tags cannot overflow the stack.

/**
 * Orders nodes so every node comes after the nodes it depends on.
 * `deps[i]` lists the nodes node i reads. Returns the order, or the cycle as a node list
 * whose first and last entries are the same node (each entry reads the next).
 */
export function dependencyOrder(deps: readonly (readonly number[])[]): { order: number[] } | { cycle: number[] } {
  const n = deps.length;
  const state = new Uint8Array(n); // 0 unvisited, 1 on the stack, 2 done
  const order: number[] = [];
  const stack: number[] = [];
  const next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    stack.push(root);
    next.push(0);
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      const k = next[top];
      if (k < deps[node].length) {
        next[top] = k + 1;
        const d = deps[node][k];
        if (state[d] === 1) {
          const from = stack.indexOf(d);
          return { cycle: [...stack.slice(from), d] };
        }
        if (state[d] === 0) {
          state[d] = 1;
          stack.push(d);
          next.push(0);
        }
      } else {
        state[node] = 2;
        order.push(node);
        stack.pop();
        next.pop();
      }
    }
  }
  return { order };
}
