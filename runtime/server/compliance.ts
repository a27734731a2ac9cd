// The server's compliance layer (21 CFR Part 11): the audit trail, electronic signatures,
// the deploy guard in front of the editor's admin API, and chain verification at start-up
// and on a schedule. A failed verification is logged, exported as a metric and raised
// through `onChainFailure` (the alarm service turns it into a system alarm).
import type { Router } from 'express';
import { Gauge, type Registry } from 'prom-client';
import { AuditTrail, entryOfAuthEvent, setProcessAuditTrail, SignatureService, type VerifyResult } from '../audit';
import type { AuthEvent } from '../auth/events';
import type { AuthService } from '../auth/auth-service';
import type { RouteDef } from './api/route';
import { auditRoutes } from './routes/audit-routes';
import { deploySigning } from './deploy-signing';

export const VERIFY_INTERVAL_MS = 15 * 60_000;

export class ComplianceLayer {
  signatures: SignatureService | null = null;
  private stopVerify: (() => void) | null = null;
  private failureListeners: Array<(r: VerifyResult) => void> = [];
  lastVerify: VerifyResult | null = null;

  private constructor(readonly trail: AuditTrail, private readonly log: (l: string) => void) {}

  static open(dataDir: string, metrics: Registry, log: (l: string) => void): ComplianceLayer {
    const layer = new ComplianceLayer(AuditTrail.open({ dataDir }), log);
    setProcessAuditTrail(layer.trail);
    new Gauge({
      name: 'historian_audit_chain_ok',
      help: '1 when the last verification of the audit hash chain found no damage, 0 when it did',
      registers: [metrics],
      collect() { this.set(layer.lastVerify === null || layer.lastVerify.ok ? 1 : 0); },
    });
    return layer;
  }

  /** Records identity events (logins, failures, lockouts, user and token changes). */
  recordAuthEvent = (e: AuthEvent): void => {
    try {
      this.trail.append(entryOfAuthEvent(e));
    } catch (err) {
      this.log(`[historian] audit: could not record ${e.type}: ${(err as Error).message}`);
    }
  };

  /** Called once the identity service is up. */
  attach(auth: AuthService, requireSignedDeploys: boolean): void {
    this.signatures = new SignatureService({ auth, trail: this.trail, signedDeploys: requireSignedDeploys });
  }

  onChainFailure(fn: (r: VerifyResult) => void): void {
    this.failureListeners.push(fn);
    if (this.lastVerify && !this.lastVerify.ok) fn(this.lastVerify);
  }

  private report(r: VerifyResult): void {
    this.lastVerify = r;
    if (r.ok) return;
    this.log(`[historian] AUDIT TRAIL DAMAGED: ${r.damage?.kind} at entry ${r.damage?.seq}: ${r.damage?.message}`);
    for (const fn of this.failureListeners) fn(r);
  }

  /** Verifies the whole chain now, then every VERIFY_INTERVAL_MS. */
  async startVerification(): Promise<VerifyResult> {
    const r = await this.trail.verify();
    this.report(r);
    this.stopVerify = this.trail.startScheduledVerify(VERIFY_INTERVAL_MS, (res) => {
      if (res instanceof Error) this.log(`[historian] audit: scheduled verification could not run: ${res.message}`);
      else this.report(res);
    }, (res) => { this.lastVerify = res; });
    return r;
  }

  routes(auth: AuthService): RouteDef[] {
    return auditRoutes({ trail: this.trail, signatures: this.signatures!, auth });
  }

  deployGuard(auth: AuthService, requireSignature: boolean, currentFlows: () => Promise<unknown>): Router {
    return deploySigning({ auth, trail: this.trail, signatures: this.signatures!, requireSignature, currentFlows, log: this.log });
  }

  close(): void {
    this.stopVerify?.();
    setProcessAuditTrail(null);
    this.trail.close();
  }
}
