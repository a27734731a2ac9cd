import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS, EDITOR_PERMISSIONS, PERMISSIONS, ROLES, ROLE_PERMISSIONS, editorPermissionsOf, isPermission, isRole,
  permissionTableMarkdown, roleHasPermission,
} from '../../../runtime/auth/permissions';

// Node-RED's own permission check, so the editor mapping is tested against the real rules.
const nrPermissions = createRequire(__filename)('@node-red/editor-api/lib/auth/permissions.js') as {
  hasPermission(scope: string | string[], permission: string): boolean;
};

describe('role → permission table', () => {
  it('gives ADMIN everything and SERVICE only machine operations', () => {
    expect([...ROLE_PERMISSIONS.ADMIN].sort()).toEqual([...ALL_PERMISSIONS].sort());
    expect([...ROLE_PERMISSIONS.SERVICE].sort()).toEqual(['ingest', 'live.subscribe', 'metrics.read', 'query', 'tags.read']);
  });

  it('keeps identities with ADMIN and verification with ADMIN and AUDITOR', () => {
    for (const r of ROLES) {
      expect(roleHasPermission(r, 'users.manage')).toBe(r === 'ADMIN');
      expect(roleHasPermission(r, 'tokens.manage')).toBe(r === 'ADMIN');
      expect(roleHasPermission(r, 'audit.verify')).toBe(r === 'ADMIN' || r === 'AUDITOR');
    }
  });

  it('lets operators acknowledge and shelve but not suppress, take out of service or configure', () => {
    expect(roleHasPermission('OPERATOR', 'alarms.ack')).toBe(true);
    expect(roleHasPermission('OPERATOR', 'alarms.shelve')).toBe(true);
    expect(roleHasPermission('OPERATOR', 'alarms.suppress')).toBe(false);
    expect(roleHasPermission('OPERATOR', 'alarms.out_of_service')).toBe(false);
    expect(roleHasPermission('OPERATOR', 'alarms.configure')).toBe(false);
    expect(roleHasPermission('OPERATOR', 'flows.write')).toBe(false);
    expect(roleHasPermission('ENGINEER', 'flows.write')).toBe(true);
  });

  it('gives AUDITOR read-only permissions', () => {
    const writes = [...ROLE_PERMISSIONS.AUDITOR].filter((p) => /write|manage|configure|ack|shelve|ingest|train/.test(p));
    expect(writes).toEqual([]);
  });

  it('only names permissions that exist', () => {
    for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) expect(isPermission(p)).toBe(true);
    expect(isPermission('toString')).toBe(false);
    expect(isRole('ADMIN')).toBe(true);
    expect(isRole('admin')).toBe(false);
  });
});

describe('Node-RED editor mapping', () => {
  const can = (role: (typeof ROLES)[number], perm: string) => nrPermissions.hasPermission(editorPermissionsOf(role), perm);

  it('maps roles onto the editor permission strings', () => {
    expect(EDITOR_PERMISSIONS.ADMIN).toEqual(['*']);
    for (const p of ['flows.write', 'nodes.write', 'settings.write', 'projects.write']) expect(can('ADMIN', p)).toBe(true);
    for (const p of ['flows.read', 'flows.write', 'nodes.read', 'nodes.write']) expect(can('ENGINEER', p)).toBe(true);
    expect(can('ENGINEER', 'settings.write')).toBe(false);
    for (const r of ['OPERATOR', 'AUDITOR'] as const) {
      expect(can(r, 'flows.read')).toBe(true);
      expect(can(r, 'nodes.read')).toBe(true);
      expect(can(r, 'flows.write')).toBe(false);
      expect(can(r, 'nodes.write')).toBe(false);
    }
    expect(can('SERVICE', 'flows.read')).toBe(false);
  });

  it('returns a copy so callers cannot widen the table', () => {
    const p = editorPermissionsOf('OPERATOR');
    p.push('*');
    expect(EDITOR_PERMISSIONS.OPERATOR).toEqual(['read']);
  });
});

describe('permissionTableMarkdown', () => {
  it('renders one row per permission with the role columns and the editor row', () => {
    const md = permissionTableMarkdown();
    const lines = md.split('\n');
    expect(lines[0]).toBe('| permission | meaning | ADMIN | ENGINEER | OPERATOR | AUDITOR | SERVICE |');
    expect(lines).toHaveLength(2 + ALL_PERMISSIONS.length + 1);
    const ingest = lines.find((l) => l.startsWith('| `ingest` |'))!;
    expect(ingest).toBe(`| \`ingest\` | ${PERMISSIONS.ingest} | ✓ | ✓ |  |  | ✓ |`);
    expect(lines.at(-1)).toContain('| `*` |');
    expect(lines.at(-1)).toMatch(/\| none \|$/);
  });
});
