// The one role → permission table. The HTTP API, the WebSocket and the Node-RED editor
// (through EDITOR_PERMISSIONS) all read it from here, and the README shows it as rendered
// by permissionTableMarkdown(), so what is documented is what is enforced.

export const ROLES = ['ADMIN', 'ENGINEER', 'OPERATOR', 'AUDITOR', 'SERVICE'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission, with the one-line meaning shown in the README table. */
export const PERMISSIONS = {
  'tags.read': 'list tags and read their metadata',
  'tags.write': 'create tags and change their metadata',
  query: 'query stored samples (raw, aggregates, rollups)',
  ingest: 'write samples (HTTP ingest API)',
  'live.subscribe': 'subscribe to live samples and alarm events (WebSocket)',
  'alarms.read': 'see alarm states and history',
  'alarms.ack': 'acknowledge alarms',
  'alarms.shelve': 'shelve and unshelve alarms',
  'alarms.suppress': 'suppress alarms by design',
  'alarms.out_of_service': 'take alarms out of service',
  'alarms.configure': 'create and change alarm definitions and limits',
  'audit.read': 'read and export the audit trail',
  'audit.verify': 'verify the audit hash chain',
  'audit.acknowledge': 'acknowledge a damaged audit trail after investigation (signed)',
  'users.manage': 'create users, change roles, disable, reset passwords',
  'tokens.manage': 'create, list and revoke API tokens',
  'flows.read': 'read Node-RED flows through the API',
  'flows.write': 'deploy Node-RED flows through the API',
  export: 'export data (CSV, Excel)',
  'layouts.read': 'open dashboard layouts',
  'layouts.write': 'save personal dashboard layouts',
  'layouts.shared.write': 'save layouts shared with everyone',
  'buffers.read': 'see store-and-forward buffers',
  'buffers.manage': 'purge, pause and replay buffers',
  'tiers.read': 'see tiering state (cold blocks)',
  'tiers.manage': 'change tiering policy',
  'retention.manage': 'change retention policy',
  'twin.read': 'read digital-twin predictions',
  'twin.train': 'train and replace digital-twin models',
  'annotations.write': 'annotate trends',
  'metrics.read': 'read Prometheus metrics',
  'fleet.read': 'see the gateway fleet (online/offline, last seen, backlog, host metrics)',
  'frames.read': 'find event frames (batches, coils, trips) and read their data and overlays',
  'frames.write': 'open event frames by hand, close them and edit their attributes (signed)',
  'system.backup': 'download a backup of the whole installation, keys and password hashes included (signed)',
} as const;
export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

const AUDITOR: Permission[] = [
  'tags.read', 'query', 'live.subscribe', 'alarms.read', 'audit.read', 'audit.verify',
  'flows.read', 'export', 'layouts.read', 'buffers.read', 'tiers.read', 'twin.read', 'metrics.read', 'fleet.read',
  'frames.read',
];

// Operators run the plant: they watch, acknowledge and shelve (ISA-18.2 leaves suppression
// and out-of-service to engineering), annotate and keep personal layouts.
const OPERATOR: Permission[] = [
  'tags.read', 'query', 'live.subscribe', 'alarms.read', 'alarms.ack', 'alarms.shelve',
  'flows.read', 'export', 'layouts.read', 'layouts.write', 'buffers.read', 'tiers.read',
  'twin.read', 'annotations.write', 'fleet.read', 'frames.read', 'frames.write',
];

// Engineers configure everything except identities and the audit verification, which stay
// with administrators and auditors (separation of duties), and the backup, which holds the
// keys and password hashes.
const ENGINEER: Permission[] = ALL_PERMISSIONS.filter(
  (p) => p !== 'users.manage' && p !== 'tokens.manage' && p !== 'audit.verify' && p !== 'audit.acknowledge' && p !== 'system.backup',
);

// Machines: push data, read it back, scrape metrics. Never an interactive session.
const SERVICE: Permission[] = ['ingest', 'query', 'tags.read', 'live.subscribe', 'metrics.read'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  ADMIN: new Set(ALL_PERMISSIONS),
  ENGINEER: new Set(ENGINEER),
  OPERATOR: new Set(OPERATOR),
  AUDITOR: new Set(AUDITOR),
  SERVICE: new Set(SERVICE),
};

/**
 * Node-RED editor permissions (adminAuth `permissions`), in the editor's own vocabulary:
 * `*` is everything, `read` every `<x>.read`, and `<x>.write` one write area.
 */
export const EDITOR_PERMISSIONS: Readonly<Record<Role, readonly string[]>> = {
  ADMIN: ['*'],
  ENGINEER: ['read', 'flows.write', 'nodes.write', 'context.write', 'library.write'],
  OPERATOR: ['read'],
  AUDITOR: ['read'],
  SERVICE: [],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return ROLE_PERMISSIONS[role];
}

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

export function editorPermissionsOf(role: Role): string[] {
  return [...EDITOR_PERMISSIONS[role]];
}

/** The README table: one row per permission, one column per role, plus the editor row. */
export function permissionTableMarkdown(): string {
  const head = `| permission | meaning | ${ROLES.join(' | ')} |`;
  const rule = `|---|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = ALL_PERMISSIONS.map((p) => {
    const cells = ROLES.map((r) => (ROLE_PERMISSIONS[r].has(p) ? '✓' : ''));
    return `| \`${p}\` | ${PERMISSIONS[p]} | ${cells.join(' | ')} |`;
  });
  const editor = ROLES.map((r) => {
    const perms = EDITOR_PERMISSIONS[r];
    return perms.length === 0 ? 'none' : perms.map((p) => `\`${p}\``).join(', ');
  });
  rows.push(`| Node-RED editor | adminAuth permissions | ${editor.join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}
