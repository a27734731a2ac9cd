// The alarm capability's errors, in the one domain error family (runtime/platform): bad
// command input names the field; a refused command keeps the service's reason, so a client
// can tell "no such alarm" and "not allowed" from "not possible in this state".
import { DomainError, type DomainErrorKind } from '../platform';
import type { RefusalReason } from './states';

/** Malformed command input (not a domain refusal): names the field. */
export class AlarmCommandError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'AlarmCommandError';
  }
}

/** The kind of each refusal that is not "not possible in the present state" (conflict). */
const REFUSAL_KIND: Partial<Record<RefusalReason, DomainErrorKind>> = { unknown_alarm: 'not_found', not_permitted: 'forbidden' };

/** A command the service refused: the reason is the client's `error` code; the message names the alarm. */
export class AlarmRefusedError extends DomainError {
  constructor(readonly id: string, readonly reason: RefusalReason, message: string) {
    super(REFUSAL_KIND[reason] ?? 'conflict', `${id}: ${message}`, { reason, extra: { id, reason } });
    this.name = 'AlarmRefusedError';
  }
}
