// Errors of the twin capability name the field (or input) that made the operation impossible,
// so an operator training a model from the editor sees why, not a stack of NaN.

/** A model cannot be fitted from the given data (too few rows, constant target, rank deficiency). */
export class TwinFitError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TwinFitError';
  }
}

/** A model file (JSON) does not match the schema in FORMAT-model.md. */
export class TwinModelError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TwinModelError';
  }
}
