import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FlowVersionError, FlowVersionStore } from '../../../runtime/flow-versions';
import { makeTempDir } from '../../helpers/tmp';

const tab = { id: 't1', type: 'tab', label: 'Plant' };
const inject = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'inject', z: 't1', name: `inject ${id}`, x: 100, y: 100, wires: [[]], ...extra });
const user = { username: 'eng', name: 'Erin Engineer', role: 'ENGINEER' };
const installed = new Set(['inject', 'debug', 'historian-query']);
const isInstalled = (t: string) => installed.has(t);

function err(fn: () => unknown): FlowVersionError {
  try { fn(); } catch (e) { if (e instanceof FlowVersionError) return e; throw e; }
  throw new Error('expected a FlowVersionError');
}

describe('flow version store', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('historian-flowver-'); });

  it('numbers deploys in order, keeps who/when/signature and a summary against the previous version', () => {
    const s = new FlowVersionStore({ dir });
    const v1 = s.record({ flows: { flows: [tab, inject('a')] }, user, deploymentType: 'full', at: new Date('2026-01-01T00:00:00Z') });
    const sig = { signatureId: 's1', userId: 'u1', username: 'eng', printedName: 'Erin Engineer', meaning: 'approval' as const, signedAt: '2026-01-01T00:01:00.000Z', action: 'flows.deploy', target: 'flows' };
    const v2 = s.record({ flows: [tab, inject('a', { repeat: '5' }), inject('b')], user, deploymentType: 'nodes', signature: sig });
    expect(v1.version).toBe(1);
    expect(v2.version).toBe(2);
    expect(v1.summary).toEqual({ added: 2, changed: 0, removed: 0, total: 2 });
    expect(v2.summary).toEqual({ added: 1, changed: 1, removed: 0, total: 3 });
    const got = s.get(2);
    expect(got.signature).toEqual(sig);
    expect(got.user).toEqual(user);
    expect(got.flows.map((n) => n.id)).toEqual(['t1', 'a', 'b']);
    expect(s.get(1).at).toBe('2026-01-01T00:00:00.000Z');
    expect(s.list().map((l) => l.version)).toEqual([2, 1]);
  });

  it('never stores credentials', () => {
    const s = new FlowVersionStore({ dir });
    s.record({ flows: [tab, inject('a', { credentials: { password: 'hunter2' } })], user, deploymentType: 'full' });
    const text = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
    expect(text).not.toContain('hunter2');
    expect(s.get(1).flows[1]).not.toHaveProperty('credentials');
  });

  it('keeps only the newest N versions and keeps numbering after retention and a reopen', () => {
    const s = new FlowVersionStore({ dir, keep: 3 });
    for (let i = 0; i < 5; i++) s.record({ flows: [tab, inject(`n${i}`)], user, deploymentType: 'full' });
    expect(s.numbers()).toEqual([3, 4, 5]);
    expect(readdirSync(dir).sort()).toEqual(['v000003.json', 'v000004.json', 'v000005.json']);
    const e = err(() => s.get(1));
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('kept: 3–5');
    const again = new FlowVersionStore({ dir, keep: 3 });
    expect(again.record({ flows: [tab], user, deploymentType: 'full' }).version).toBe(6);
    expect(again.numbers()).toEqual([4, 5, 6]);
  });

  it('refuses a retention below one', () => {
    expect(err(() => new FlowVersionStore({ dir, keep: 0 })).message).toContain('flowVersions.keep');
  });

  it('detects a corrupt version file: edited flows, torn file, wrong number; lists it and refuses to serve or restore it', () => {
    const s = new FlowVersionStore({ dir });
    s.record({ flows: [tab, inject('a')], user, deploymentType: 'full' });
    s.record({ flows: [tab, inject('a'), inject('b')], user, deploymentType: 'full' });
    s.record({ flows: [tab], user, deploymentType: 'full' });
    // someone edits the flows line by hand
    const f1 = join(dir, 'v000001.json');
    writeFileSync(f1, readFileSync(f1, 'utf8').replace('inject a', 'inject X'));
    // a torn write: the flows line is cut
    const f2 = join(dir, 'v000002.json');
    const t2 = readFileSync(f2, 'utf8');
    writeFileSync(f2, t2.slice(0, t2.indexOf('\n') + 10));
    // a file renamed to another number
    const f3 = join(dir, 'v000003.json');
    writeFileSync(join(dir, 'v000004.json'), readFileSync(f3, 'utf8'));

    const e1 = err(() => s.get(1));
    expect(e1.code).toBe('corrupt');
    expect(e1.message).toContain('SHA-256');
    expect(err(() => s.get(2)).code).toBe('corrupt');
    expect(err(() => s.get(4)).message).toContain('header names version 3');
    expect(err(() => s.restorable(1, isInstalled)).code).toBe('corrupt');
    expect(err(() => s.diff(1, 3)).code).toBe('corrupt');
    const list = s.list();
    expect(list.map((l) => [l.version, l.corrupt !== undefined])).toEqual([[4, true], [3, false], [2, true], [1, true]]);
    // a new deploy after damage still gets the next number and a summary against nothing readable
    expect(s.record({ flows: [tab, inject('c')], user, deploymentType: 'full' }).version).toBe(5);
  });

  it('refuses to restore a version whose node types are no longer installed, naming types and nodes', () => {
    const s = new FlowVersionStore({ dir });
    s.record({ flows: [tab, inject('a'), { id: 'm', type: 'modbus-poll', z: 't1', name: 'Pump poll' }, { id: 'm2', type: 'modbus-poll', z: 't1' }], user, deploymentType: 'full' });
    const e = err(() => s.restorable(1, isInstalled));
    expect(e.code).toBe('not_restorable');
    expect(e.message).toContain('version 1 cannot be restored');
    expect(e.message).toContain('modbus-poll (2 nodes: "Pump poll", "modbus-poll m2")');
    expect(e.message).toContain('running flows are unchanged');
    expect(e.detail.missingTypes).toEqual([{ type: 'modbus-poll', count: 2, nodes: ['Pump poll', 'modbus-poll m2'] }]);
    installed.add('modbus-poll');
    try {
      expect(s.restorable(1, isInstalled).flows).toHaveLength(4);
    } finally {
      installed.delete('modbus-poll');
    }
  });

  it('accepts subflow instances of subflows defined in the version, groups and junctions', () => {
    const s = new FlowVersionStore({ dir });
    s.record({ flows: [tab, { id: 'sf', type: 'subflow', name: 'SF' }, { id: 'i', type: 'subflow:sf', z: 't1' }, { id: 'g', type: 'group', z: 't1' }, { id: 'j', type: 'junction', z: 't1' }, { id: 'x', type: 'subflow:gone', z: 't1' }], user, deploymentType: 'full' });
    const e = err(() => s.restorable(1, isInstalled));
    expect(e.detail.missingTypes).toEqual([{ type: 'subflow:gone', count: 1, nodes: ['subflow:gone x'] }]);
  });

  it('diffs any two versions property by property, naming the flow of each node', () => {
    const s = new FlowVersionStore({ dir });
    s.record({ flows: [tab, inject('a'), inject('b')], user, deploymentType: 'full' });
    s.record({ flows: [tab, inject('a', { repeat: '5' }), inject('b')], user, deploymentType: 'full' });
    s.record({ flows: [tab, inject('a', { repeat: '10', name: 'tick' }), inject('c')], user, deploymentType: 'full' });
    const d = s.diff(1, 3);
    expect(d.added).toEqual([{ id: 'c', type: 'inject', label: 'inject c', flow: 'Plant' }]);
    expect(d.removed).toEqual([{ id: 'b', type: 'inject', label: 'inject b', flow: 'Plant' }]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0].properties).toEqual([{ key: 'name', before: 'inject a', after: 'tick' }, { key: 'repeat', after: '10' }]);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 1 });
    const back = s.diff(3, 1);
    expect(back.changed[0].properties).toEqual([{ key: 'name', before: 'tick', after: 'inject a' }, { key: 'repeat', before: '10' }]);
  });
});
