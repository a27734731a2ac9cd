// The shipped fleet configs (docker/fleet) are ones nats-server accepts: 3 hub nodes with
// their user lists, and the gateway leaf node.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NATS_SERVER, requireBinary } from '../../helpers/binaries';

const dir = path.join(__dirname, '../../../docker/fleet');
const env = { ...process.env, NATS_HISTORIAN_PASSWORD: 'h', NATS_LEAF_GW1_PASSWORD: 'l', NATS_LEAF_PASSWORD: 'l', GATEWAY_NKEY_PUBLIC: 'UCRWCHFLSMPGKOF6DXJ2XU6QTHO2LFXZG6G2HRFA5QZPB5A62B7IXBG6' };

describe('docker/fleet configs', () => {
  it.each(['hub-1.conf', 'hub-2.conf', 'hub-3.conf', 'leaf.conf'])('nats-server accepts %s', (f) => {
    const out = execFileSync(requireBinary(NATS_SERVER), ['-c', path.join(dir, f), '-t'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out + '').toBeDefined();
  });
});
