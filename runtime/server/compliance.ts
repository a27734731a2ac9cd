// The server's compliance layer (21 CFR Part 11): the audit trail, electronic signatures,
// the deploy guard in front of the editor's admin API, and chain verification at start-up
// (run by the trail before it writes anything) and on a schedule. A damaged trail is
// logged, exported as a metric and reported through `onChainResult` (the alarm service
// raises its system alarm) until an administrator acknowledges the damage with a signature.
import { Gauge, type Registry } from 'prom-client';
import { AuditTrail, entryOfAuthEvent, setProcessAuditTrail, SignatureService, type TrailVerifyResult } from '../audit';
import type { AuthEvent } from '../auth';
import type { AuthService } from '../auth';
import type { RouteDef } from './api/route';
import { auditRoutes } from './routes/audit-routes';
import { deploySigning, type AcceptedDeploy, type DeploySigningRouter } from './deploy-signing';

export const VERIFY_INTERVAL_MS = 15 * 60_000;

export class ComplianceLayer {
  signatures: SignatureService | null = null;
  private stopVerify: (() => void) | null = null;
  private resultListeners: Array<(r: TrailVerifyResult) => void> = [];
  lastVerify: TrailVerifyResult | null = null;

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

  /** Every verification result (ok or not), the current one at once if there is one. */
  onChainResult(fn: (r: TrailVerifyResult) => void): void {
    this.resultListeners.push(fn);
    if (this.lastVerify) fn(this.lastVerify);
  }

  private report(r: TrailVerifyResult): void {
    const was = this.lastVerify;
    this.lastVerify = r;
    if (!r.ok && (was === null || was.ok || was.damage?.message !== r.damage?.message)) {
      this.log(`[historian] AUDIT TRAIL DAMAGED: ${r.damage?.kind} at entry ${r.damage?.seq}: ${r.damage?.message}` +
        (r.acknowledgementRequired ? ' (stays reported until an administrator acknowledges it: POST /api/v1/audit/acknowledge, signed)' : ''));
    }
    for (const fn of this.resultListeners) {
      try { fn(r); } catch (e) { this.log(`[historian] audit: result listener failed: ${(e as Error).message}`); }
    }
  }

  /**
   * Reports the verification the trail ran when it opened (before writing anything), then
   * verifies every VERIFY_INTERVAL_MS.
   */
  async startVerification(): Promise<TrailVerifyResult> {
    const r = this.trail.startupVerify;
    this.report(r);
    this.stopVerify = this.trail.startScheduledVerify(VERIFY_INTERVAL_MS, (res) => {
      if (res instanceof Error) this.log(`[historian] audit: scheduled verification could not run: ${res.message}`);
    }, (res) => this.report(res as TrailVerifyResult));
    return r;
  }

  /** Verifies now and reports the result (after an acknowledgement, or on demand). */
  async verifyNow(): Promise<TrailVerifyResult> {
    const r = await this.trail.verify();
    this.report(r);
    return r;
  }

  routes(auth: AuthService): RouteDef[] {
    return auditRoutes({ trail: this.trail, signatures: this.signatures!, auth, verified: (r) => this.report(r) });
  }

  deployGuard(auth: AuthService, requireSignature: boolean, currentFlows: () => Promise<unknown>, onDeployed?: (d: AcceptedDeploy) => void): DeploySigningRouter {
    return deploySigning({ auth, trail: this.trail, signatures: this.signatures!, requireSignature, currentFlows, log: this.log, onDeployed });
  }

  close(): void {
    this.stopVerify?.();
    setProcessAuditTrail(null);
    this.trail.close();
  }
}
