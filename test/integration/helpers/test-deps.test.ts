import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingBinaryError, NATS_SERVER, locateBinary, requireBinary } from '../../helpers/binaries';

interface Plan {
  missing: string[];
  action: 'none' | 'install' | 'fail';
  commands: string[][];
  message: string;
}
interface Probe {
  locate(names: string[]): string | undefined;
  isRoot(): boolean;
  hasApt(): boolean;
  canSudo(): boolean;
}
const SCRIPT = path.resolve(__dirname, '../../../scripts/ensure-test-deps.js');
const { plan } = createRequire(__filename)(SCRIPT) as { plan(probe: Probe): Plan };

const probe = (present: string[], facts: Partial<Omit<Probe, 'locate'>> = {}): Probe => ({
  locate: (names) => (names.some((n) => present.includes(n)) ? `/usr/bin/${names[0]}` : undefined),
  isRoot: () => false,
  hasApt: () => true,
  canSudo: () => false,
  ...facts,
});

describe('pretest: ensure-test-deps', () => {
  it('does nothing when every server is installed', () => {
    expect(plan(probe(['nats-server', 'mosquitto', 'chromium']))).toMatchObject({ action: 'none', missing: [] });
    // chromium-browser is an acceptable stand-in for chromium
    expect(plan(probe(['nats-server', 'mosquitto', 'chromium-browser'])).action).toBe('none');
  });

  it('installs only the missing packages with apt as root, non-interactively', () => {
    const todo = plan(probe(['chromium'], { isRoot: () => true }));
    expect(todo.action).toBe('install');
    expect(todo.commands).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'nats-server', 'mosquitto'],
    ]);
  });

  it('uses passwordless sudo when not root', () => {
    const todo = plan(probe(['nats-server', 'mosquitto'], { canSudo: () => true }));
    expect(todo.commands[1]).toEqual(['sudo', '-n', 'apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
  });

  it('fails with the exact command when it may not install', () => {
    const todo = plan(probe(['nats-server']));
    expect(todo.action).toBe('fail');
    expect(todo.message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends mosquitto chromium');
    const noApt = plan(probe([], { isRoot: () => true, hasApt: () => false }));
    expect(noApt.action).toBe('fail');
    expect(noApt.message).toMatch(/apt-get is not available/);
  });

  it('exits 0 silently on this machine, where the servers are installed', () => {
    const out = execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(out).toBe('');
  });
});

describe('missing server binaries', () => {
  it('name the install command', () => {
    const spec = { names: ['historian-no-such-server'], aptPackage: 'historian-no-such-package' };
    expect(locateBinary(spec)).toBeUndefined();
    expect(() => requireBinary(spec)).toThrow(MissingBinaryError);
    expect(() => requireBinary(spec)).toThrow(/sudo apt-get install -y historian-no-such-package.*npm run pretest/);
  });

  it('find Debian daemons in /usr/sbin even when it is not on PATH', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(locateBinary(NATS_SERVER)).toMatch(/^\/usr\/(local\/)?s?bin\/nats-server$/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
