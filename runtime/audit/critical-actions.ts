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
  auditAcknowledge: 'audit.damage.acknowledge',
} as const;

/** Actions signed whatever the configured list says: the signature is their point. */
export const ALWAYS_SIGNED: readonly string[] = [CRITICAL.auditAcknowledge];

/** Default list; flows.deploy joins it when signed deploys are enabled. */
export const DEFAULT_CRITICAL_ACTIONS: readonly string[] = [
  CRITICAL.alarmShelve, CRITICAL.alarmOutOfService, CRITICAL.alarmLimitsChange,
  CRITICAL.userCreate, CRITICAL.userUpdate, CRITICAL.userRoleChange, CRITICAL.userDisable, CRITICAL.userPasswordReset,
  CRITICAL.retentionChange, CRITICAL.tierPolicyChange, CRITICAL.auditAcknowledge,
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

/** Whether an action needs a signature under the default list (services use their configured list). */
export function requiresSignature(action: string, actions: CriticalActions = DEFAULTS): boolean {
  return actions.has(action);
}
