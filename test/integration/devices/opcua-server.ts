// A small OPC UA server on loopback for the device tests: node-opcua's OPCUAServer with a
// Plant object holding a few variables whose value and status the test sets.
import path from 'node:path';
import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCode, StatusCodes, Variant, nodesets, type UAVariable } from 'node-opcua';
import { freePort } from '../../helpers/ports';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

export interface TestOpcuaServerOptions {
  /** offered modes/policies (default: None only) */
  securityModes?: MessageSecurityMode[];
  securityPolicies?: SecurityPolicy[];
  /** default true */
  allowAnonymous?: boolean;
  /** user name → password */
  users?: Record<string, string>;
  /** user certificates (DER) the server trusts for X509 identity tokens; others are refused */
  trustedUserCertificates?: Buffer[];
}

export interface TestOpcuaServer {
  endpoint: string;
  port: number;
  pkiDir: string;
  /** the server's own application certificate (DER) */
  certificate(): Buffer;
  set(name: string, value: number | boolean, status?: StatusCode, sourceTimestamp?: Date): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startOpcuaServer(o: TestOpcuaServerOptions = {}): Promise<TestOpcuaServer> {
  const dir = await makeTempDir('historian-opcua-');
  const port = await freePort();
  const vars = new Map<string, UAVariable>();
  let server: OPCUAServer;
  const values = new Map<string, { value: number | boolean; status: StatusCode; ts: Date }>();

  const userCm = new OPCUACertificateManager({ rootFolder: path.join(dir, 'user-pki'), automaticallyAcceptUnknownCertificate: !o.trustedUserCertificates });
  await userCm.initialize();
  for (const der of o.trustedUserCertificates ?? []) await userCm.trustCertificate(der);
  const start = async () => {
    server = new OPCUAServer({
      port, hostname: '127.0.0.1', alternateHostname: ['127.0.0.1'],
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(dir, 'server-pki'), automaticallyAcceptUnknownCertificate: true }),
      userCertificateManager: userCm,
      serverInfo: { applicationUri: 'urn:historian:test-server' },
      ...(o.securityModes ? { securityModes: o.securityModes } : {}),
      ...(o.securityPolicies ? { securityPolicies: o.securityPolicies } : {}),
      allowAnonymous: o.allowAnonymous ?? true,
      ...(o.users ? { userManager: { isValidUser: (u: string, p: string) => o.users![u] !== undefined && o.users![u] === p } } : {}),
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
    certificate: () => new X509Certificate(fs.readFileSync(server.certificateFile)).raw,
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
