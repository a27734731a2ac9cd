// node-red-node-test-helper ships no types; the tests use a handful of its members.
declare module 'node-red-node-test-helper' {
  interface TestNode {
    on(event: string, cb: (...args: any[]) => void): void;
    receive(msg: object): void;
    [key: string]: any;
  }
  const helper: {
    init(nodeRedRuntime: string, userSettings?: object): void;
    load(nodes: unknown, flow: object[], credentials?: object | (() => void), cb?: () => void): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    setFlows(flow: object[], type: string, credentials?: object): Promise<void>;
    startServer(cb?: () => void): Promise<void>;
    stopServer(cb?: () => void): Promise<void>;
    url(): string;
    request(): any;
    settings(s: object): void;
    clearFlows(): Promise<void>;
  };
  export default helper;
}
