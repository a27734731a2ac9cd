// Who may do what to an alarm is decided by the caller's permission table (runtime/auth);
// the alarm service only asks these injected questions, so it stays free of users,
// tokens and HTTP. Electronic signatures (21 CFR Part 11) plug in through the last two.

export type AlarmAction = 'ack' | 'reset' | 'shelve' | 'unshelve' | 'suppress' | 'unsuppress' | 'outOfService' | 'returnToService';

export const ALARM_ACTIONS: readonly AlarmAction[] = [
  'ack', 'reset', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'outOfService', 'returnToService',
];

/** The operator issuing a command, as authenticated by the caller. */
export interface Actor {
  user: string;
  /** the caller's role name (ADMIN, ENGINEER, OPERATOR, ...) */
  role?: string;
  comment?: string;
  /** opaque signing token, checked by `verifySignature` */
  signature?: unknown;
}

export interface AlarmPolicy {
  /** May this actor perform the action on this alarm? */
  allow(action: AlarmAction, actor: Actor, alarmId: string): boolean;
  /** Does the action need an electronic signature? */
  requireSignature(action: AlarmAction): boolean;
  /** Is the signature valid for exactly this action on this alarm? */
  verifySignature(signature: unknown, action: AlarmAction, alarmId: string): boolean;
}

/** Roles that may take an alarm out of service (or return it) under the default policy. */
export const SERVICE_ROLES: readonly string[] = ['ADMIN', 'ENGINEER'];

export const DEFAULT_POLICY: AlarmPolicy = {
  allow: (action, actor) =>
    action === 'outOfService' || action === 'returnToService' ? SERVICE_ROLES.includes(actor.role ?? '') : true,
  requireSignature: () => false,
  verifySignature: () => false,
};
