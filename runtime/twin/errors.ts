// Errors of the twin capability name the field (or input) that made the operation impossible,
// so an operator training a model from the editor sees why, not a stack of NaN.
import { DomainError } from '../platform';


/** A model cannot be fitted from the given data (too few rows, constant target, rank deficiency). */
export class TwinFitError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'TwinFitError';
  }
}

/** A model file (JSON) does not match the schema in FORMAT-model.md. */
export class TwinModelError extends DomainError {
  constructor(readonly field: string, message: string) {
    super('invalid', `${field}: ${message}`, { field });
    this.name = 'TwinModelError';
  }
}
