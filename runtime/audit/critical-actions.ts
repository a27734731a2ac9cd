// Which actions need an electronic signature (21 CFR 11.200 / 11.300). Action names are
// the stable dotted names every part of Historian records in the trail; a list entry
// ending in "*" covers every action with that prefix ("alarms.limits.*").

/** The action names other parts of Historian use for signature-worthy operations. */
export const CRITICAL = {
  alarmShelve: 'alarms.shelve',
  alarmOutOfService: 'alarms.out_of_service',
  alarmLimitsChange: 'alarms.limits.change',
  userCreate: 'users.create',
  userUpdate: 'users.update',
  userRoleChange: 'users.role.change',
  userDisable: 'users.disable',
  userPasswordReset: 'users.password.reset',
  retentionChange: 'retention.change',
  tierPolicyChange: 'tiers.policy.change',
  flowsDeploy: 'flows.deploy',
  flowsRestore: 'flows.restore',
  auditAcknowledge: 'audit.damage.acknowledge',
  frameClose: 'frames.close',
  frameAttributesChange: 'frames.attributes.change',
  bufferPurge: 'buffers.quarantine.purge',
  systemBackup: 'system.backup',
} as const;

/** Actions signed whatever the configured list says: the signature is their point. */
export const ALWAYS_SIGNED: readonly string[] = [CRITICAL.auditAcknowledge];

/** Default list; flows.deploy joins it when signed deploys are enabled. */
export const DEFAULT_CRITICAL_ACTIONS: readonly string[] = [
  CRITICAL.alarmShelve, CRITICAL.alarmOutOfService, CRITICAL.alarmLimitsChange,
  CRITICAL.userCreate, CRITICAL.userUpdate, CRITICAL.userRoleChange, CRITICAL.userDisable, CRITICAL.userPasswordReset,
  CRITICAL.retentionChange, CRITICAL.tierPolicyChange, CRITICAL.auditAcknowledge,
  CRITICAL.frameClose, CRITICAL.frameAttributesChange, CRITICAL.bufferPurge, CRITICAL.systemBackup,
];

export class CriticalActions {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(list: Iterable<string>) {
    for (const a of list) {
      if (typeof a !== 'string' || a === '') throw new Error('critical actions: every entry must be a non-empty string');
      if (a.endsWith('*')) this.prefixes.push(a.slice(0, -1));
      else this.exact.add(a);
    }
  }

  has(action: string): boolean {
    return this.exact.has(action) || this.prefixes.some((p) => action.startsWith(p));
  }

  list(): string[] {
    return [...this.exact, ...this.prefixes.map((p) => `${p}*`)];
  }
}

const DEFAULTS = new CriticalActions(DEFAULT_CRITICAL_ACTIONS);

/** What each critical action is, where it is demanded and on which target (the README's signature table). */
export const CRITICAL_ACTION_INFO: Readonly<Record<string, { what: string; where: string; target: string; permission: string }>> = {
  [CRITICAL.alarmShelve]: { what: 'shelve an alarm', where: '`POST /alarms/{id}/shelve`', target: 'the alarm id', permission: 'alarms.shelve' },
  [CRITICAL.alarmOutOfService]: { what: 'take an alarm out of service', where: '`POST /alarms/{id}/out-of-service`', target: 'the alarm id', permission: 'alarms.out_of_service' },
  [CRITICAL.alarmLimitsChange]: {
    what: 'change an alarm\'s limits (setpoint, deadband, deviation limit, rate, window, delays, condition)',
    where: '`PUT /alarms/{id}/limits`; a deploy that changes an isa-alarm row\'s limits', target: 'the alarm id; `flows` for a deploy', permission: 'alarms.configure',
  },
  [CRITICAL.userCreate]: { what: 'create a user', where: '`POST /users`', target: '`user:<username>`', permission: 'users.manage' },
  [CRITICAL.userUpdate]: { what: 'change a user\'s printed name or password age', where: '`PATCH /users/{id}` (`name`, `maxAgeDays`)', target: '`user:<username>`', permission: 'users.manage' },
  [CRITICAL.userRoleChange]: { what: 'change a user\'s role (ends their sessions)', where: '`PATCH /users/{id}` (`role`)', target: '`user:<username>`', permission: 'users.manage' },
  [CRITICAL.userDisable]: { what: 'disable a user (ends their sessions)', where: '`PATCH /users/{id}` (`disabled: true`)', target: '`user:<username>`', permission: 'users.manage' },
  [CRITICAL.userPasswordReset]: { what: 'set a user\'s password (temporary: changed at the next sign-in)', where: '`POST /users/{id}/password`', target: '`user:<username>`', permission: 'users.manage' },
  [CRITICAL.retentionChange]: {
    what: 'change a retention (deletes data)', where: '`PUT /tags/{tag}` (`retentionMs`); a deploy that changes a historian-store\'s retention',
    target: 'the tag; `flows` for a deploy', permission: 'retention.manage',
  },
  [CRITICAL.tierPolicyChange]: { what: 'change a tier policy (policy age, tag pattern)', where: 'a deploy that changes a tier-mover\'s policy', target: '`flows`', permission: 'tiers.manage' },
  [CRITICAL.flowsDeploy]: { what: 'deploy flows (only with `HISTORIAN_SIGNED_DEPLOYS=true`)', where: '`POST /editor/flows`', target: '`flows`', permission: 'flows.write' },
  [CRITICAL.flowsRestore]: {
    what: 'restore a stored flow version (a deploy; only with `HISTORIAN_SIGNED_DEPLOYS=true`)', where: '`POST /flows/versions/{version}/restore` (also under `/editor/historian`)',
    target: '`flows`', permission: 'flows.write',
  },
  [CRITICAL.auditAcknowledge]: { what: 'acknowledge a damaged audit trail (always signed)', where: '`POST /audit/acknowledge`', target: '`audit`', permission: 'audit.acknowledge' },
  [CRITICAL.frameClose]: { what: 'close an event frame by hand (e.g. end a batch)', where: '`POST /frames/{id}/close`', target: '`frame:<id>`', permission: 'frames.write' },
  [CRITICAL.frameAttributesChange]: { what: 'edit an event frame\'s attributes (e.g. batch release by QA)', where: '`PATCH /frames/{id}/attributes`', target: '`frame:<id>`', permission: 'frames.write' },
  [CRITICAL.bufferPurge]: {
    what: 'delete a store-and-forward buffer\'s quarantined envelopes (their samples are never sent)', where: '`POST /buffers/{name}/quarantine/purge`',
    target: '`buffer:<name>`', permission: 'buffers.manage',
  },
  [CRITICAL.systemBackup]: {
    what: 'download a backup of the whole installation (its samples, accounts, audit trail, flows and keys)', where: '`POST /system/backup`, `POST /system/backup/links` (the Health page)',
    target: '`system`', permission: 'system.backup',
  },
};

/** The README table: one row per critical action of the default list, plus signed deploys and restores. */
export function signatureTableMarkdown(): string {
  const rows = [...DEFAULT_CRITICAL_ACTIONS, CRITICAL.flowsDeploy, CRITICAL.flowsRestore].map((a) => {
    const i = CRITICAL_ACTION_INFO[a];
    return `| \`${a}\` | ${i.what} | ${i.where} | ${i.target} | \`${i.permission}\` |`;
  });
  return ['| action | what | demanded by | target | permission |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Whether an action needs a signature under the default list (services use their configured list). */
export function requiresSignature(action: string, actions: CriticalActions = DEFAULTS): boolean {
  return actions.has(action);
}
