// The one table from a domain error's kind to its HTTP answer (runtime/http/domain-errors.ts):
// every capability's errors are answered by it, so the statuses and bodies clients rely on
// are pinned here, error class by error class.
import { describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_ANSWERS, HttpError, toHttpError } from '../../../runtime/http';
import { DomainError, type DomainErrorKind } from '../../../runtime/platform';
import { AlarmCommandError, AlarmDefinitionError, AlarmRefusedError } from '../../../runtime/alarm';
import { AuditError } from '../../../runtime/audit';
import { DiskLowError } from '../../../runtime/disk';
import { ModelStoreError, TwinFitError, TwinModelError } from '../../../runtime/twin';
import { QueryBudgetError, QueryError, QueryRequestError, TagMetaError } from '../../../runtime/tsdb';

function answer(e: unknown): { status: number; body: Record<string, unknown>; headers: Record<string, string> } | null {
  const h = toHttpError(e);
  return h ? { status: h.status, body: h.toJSON(), headers: h.headers } : null;
}

describe('domain error → HTTP answer', () => {
  it('maps each kind to one status and code; a failure of the capability itself is no answer (500 by the app)', () => {
    expect(DOMAIN_ERROR_ANSWERS).toEqual({
      invalid: { status: 400, code: 'bad_request' },
      not_found: { status: 404, code: 'not_found' },
      forbidden: { status: 403, code: 'forbidden' },
      conflict: { status: 409, code: 'conflict' },
      unavailable: { status: 503, code: 'unavailable' },
      storage_full: { status: 507, code: 'insufficient_storage' },
      failure: null,
    });
    const kinds: DomainErrorKind[] = ['invalid', 'not_found', 'forbidden', 'conflict', 'unavailable', 'storage_full'];
    for (const k of kinds) expect(answer(new DomainError(k, 'm'))).toEqual({ status: DOMAIN_ERROR_ANSWERS[k]!.status, body: { error: DOMAIN_ERROR_ANSWERS[k]!.code, message: 'm' }, headers: {} });
    expect(answer(new DomainError('failure', 'disk gone'))).toBeNull();
  });

  it('answers bad input of every capability with 400 bad_request naming the field', () => {
    const cases: Array<[Error, string]> = [
      [new QueryRequestError('from', 'must be a time'), 'from'],
      [new QueryError('tag', 'unknown'), 'tag'],
      [new TagMetaError('unit', 'too long'), 'unit'],
      [new TwinFitError('spec.target', 'is constant'), 'spec.target'],
      [new TwinModelError('kind', 'unknown'), 'kind'],
      [new ModelStoreError('name', 'bad'), 'name'],
      [new AlarmCommandError('area', 'bad pattern'), 'area'],
      [new AlarmDefinitionError('limit', 'must be a number', 2), 'limit'],
      [new AuditError('validation', 'user: too long', 'user'), 'user'],
    ];
    for (const [e, field] of cases) expect(answer(e)).toEqual({ status: 400, body: { error: 'bad_request', message: e.message, field }, headers: {} });
    // an audit validation error without a field has no field member
    expect(answer(new AuditError('validation', 'nothing to do'))!.body).toEqual({ error: 'bad_request', message: 'nothing to do' });
  });

  it('keeps the precise reason of not-found, conflict, refusal and budget errors', () => {
    expect(answer(new ModelStoreError('name', 'no model "m"', 'not_found'))).toMatchObject({ status: 404, body: { error: 'not_found', field: 'name' } });
    expect(answer(new ModelStoreError('name', 'exists', 'exists'))).toMatchObject({ status: 409, body: { error: 'exists', field: 'name' } });
    expect(answer(new AlarmRefusedError('P-101.HI', 'unknown_alarm', 'no alarm with this id is configured'))).toEqual({
      status: 404, headers: {}, body: { error: 'unknown_alarm', message: 'P-101.HI: no alarm with this id is configured', id: 'P-101.HI', reason: 'unknown_alarm' },
    });
    expect(answer(new AlarmRefusedError('a', 'not_permitted', 'no'))).toMatchObject({ status: 403, body: { error: 'not_permitted' } });
    expect(answer(new AlarmRefusedError('a', 'already_acknowledged', 'no'))).toMatchObject({ status: 409, body: { error: 'already_acknowledged', id: 'a', reason: 'already_acknowledged' } });
    // a write refused below the disk watermark, on whichever route: 507 with the disk's figures
    expect(answer(new DiskLowError({ path: '/d', totalBytes: 100, freeBytes: 4, watermarkBytes: 5, low: true, since: 1 }))).toMatchObject({
      status: 507, body: { error: 'insufficient_storage', disk: { freeBytes: 4, watermarkBytes: 5 } },
    });
    expect(answer(new QueryBudgetError(2000))).toEqual({
      status: 503, headers: { 'Retry-After': '5' },
      body: { error: 'query_budget_exceeded', message: new QueryBudgetError(2000).message, budgetMs: 2000 },
    });
  });

  it('passes HttpErrors through and leaves faults and foreign errors to the app (500)', () => {
    const h = new HttpError(418, 'teapot', 'short and stout');
    expect(toHttpError(h)).toBe(h);
    for (const code of ['closed', 'key', 'corrupt'] as const) expect(answer(new AuditError(code, 'trail closed'))).toBeNull();
    expect(answer(new Error('to: must be after from'))).toBeNull();
    expect(answer('a string')).toBeNull();
  });
});
