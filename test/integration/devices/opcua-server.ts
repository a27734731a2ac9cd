// A small OPC UA server on loopback for the device tests: node-opcua's OPCUAServer with a
// Plant object holding a few variables whose value and status the test sets.
import path from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCode, StatusCodes, Variant, nodesets, type UAVariable } from 'node-opcua';
import { freePort } from '../../helpers/ports';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

export interface TestOpcuaServer {
  endpoint: string;
  port: number;
  pkiDir: string;
  set(name: string, value: number | boolean, status?: StatusCode, sourceTimestamp?: Date): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startOpcuaServer(): Promise<TestOpcuaServer> {
  const dir = await makeTempDir('historian-opcua-');
  const port = await freePort();
  const vars = new Map<string, UAVariable>();
  let server: OPCUAServer;
  const values = new Map<string, { value: number | boolean; status: StatusCode; ts: Date }>();

  const start = async () => {
    server = new OPCUAServer({
      port, hostname: '127.0.0.1', alternateHostname: ['127.0.0.1'],
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(dir, 'server-pki'), automaticallyAcceptUnknownCertificate: true }),
      userCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(dir, 'user-pki'), automaticallyAcceptUnknownCertificate: true }),
      serverInfo: { applicationUri: 'urn:historian:test-server' },
    });
    await server.initialize();
    const ns = server.engine.addressSpace!.getOwnNamespace();
    const plant = ns.addObject({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: 'Plant' });
    const line = ns.addObject({ componentOf: plant, browseName: 'Line1' });
    const defs: Array<[string, DataType, number | boolean]> = [['Temperature', DataType.Double, 20.5], ['Pressure', DataType.Float, 1.25], ['Running', DataType.Boolean, true], ['Count', DataType.Int32, -7]];
    for (const [name, dataType, value] of defs) {
      const v = ns.addVariable({ componentOf: line, browseName: name, nodeId: `s=Line1.${name}`, dataType });
      const prev = values.get(name);
      const cur = prev ?? { value, status: StatusCodes.Good, ts: new Date() };
      v.setValueFromSource(new Variant({ dataType, value: cur.value }), cur.status, cur.ts);
      vars.set(name, v);
    }
    await server.start();
  };
  await start();
  const endpoint = `opc.tcp://127.0.0.1:${port}`;
  return {
    endpoint, port, pkiDir: path.join(dir, 'client-pki'),
    set(name, value, status = StatusCodes.Good, ts = new Date()) {
      const v = vars.get(name)!;
      values.set(name, { value, status, ts });
      v.setValueFromSource(new Variant({ dataType: v.dataType.value as DataType, value }), status, ts);
    },
    stop: async () => { await server.shutdown(0); },
    start,
    dispose: async () => { try { await server.shutdown(0); } catch { /* stopped */ } await removeTempDir(dir); },
  };
}
