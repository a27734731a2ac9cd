// POST /system/backup: the whole installation as a .tar.gz, made while it runs (README
// "Backup and restore"; runtime/backup makes it). The archive holds the accounts' password
// hashes, the keys that sign sessions and decrypt flow credentials, and every sample: it
// takes `system.backup` (administrators) and a signature, and every download, finished or
// not, is in the audit trail with what it held. A browser asks for a one-time link instead
// (POST /system/backup/links, same permission and signature) and navigates to it, so the
// archive streams to disk through the browser's own download.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorFields, CRITICAL, type AuditTrail, type SignatureManifestation, type SignatureService } from '../../audit';
import type { Principal } from '../../auth';
import { archiveName, BackupRunner, removeStaleStaging, type OpenStore } from '../../backup';
import type { Components } from '../../registry';
import { callerOf, defineRoute, DownloadLinks, HttpError, toHttpError, type RouteDef } from '../api/route';
import { signatureFor } from './audit-routes';

export interface BackupRouteDeps {
  dataDir: string;
  host: string;
  runner: BackupRunner;
  trail: AuditTrail;
  signatures: SignatureService;
}

export const BACKUP_TARGET = 'system';

/** The stores open in this process (one still opening is waited for; one that failed is left to the directory copy). */
export async function openStores(stores: Pick<Components['stores'], 'entries'>): Promise<OpenStore[]> {
  const out: OpenStore[] = [];
  for (const [, handle] of stores.entries()) {
    const s = await handle.ready.catch(() => null);
    if (s && !handle.closed) out.push(s);
  }
  return out;
}

/** A link's download: who asked for it and the signature they gave. */
interface BackupGrant { principal: Principal; signature: SignatureManifestation | null }

export function backupRoutes(deps: BackupRouteDeps): RouteDef[] {
  removeStaleStaging(deps.dataDir);
  const links = new DownloadLinks<BackupGrant>();
  /** 409 while a backup is being made; 507 when staging would take the disk below its watermark */
  const assertCanStart = () => {
    try { deps.runner.check(); } catch (e) { throw toHttpError(e) ?? e; }
  };

  /** Makes the backup and streams it as the answer; the audit trail records it, finished or not. */
  const sendBackup = async (req: Request, res: Response, { principal, signature }: BackupGrant): Promise<undefined> => {
    assertCanStart();
    const result = await deps.runner.run(res, (manifest) => {
      res.status(200);
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Disposition', `attachment; filename="${archiveName(deps.host, manifest.createdAt)}"`);
      res.setHeader('Cache-Control', 'no-store');
    });
    // recorded once the download ended (or failed), in the turn it did: before the client's next request
    deps.trail.append({ action: CRITICAL.systemBackup, target: BACKUP_TARGET, ...actorFields(principal), clientAddress: req.ip ?? null, signature, newValue: BackupRunner.facts(result) });
    if (result.problem) {
      if (!res.headersSent) throw new HttpError(500, 'internal', `backup: ${result.problem}`);
      res.destroy();
    }
    return undefined;
  };

  return [
    defineRoute({
      method: 'post', path: '/system/backup', group: 'system', permission: 'system.backup',
      summary: 'A backup of the whole installation (stores, accounts, audit trail, flows, keys, buffers) as .tar.gz, made while it runs; signed (system.backup on system) and audited',
      signs: [CRITICAL.systemBackup],
      response: { status: 200, description: 'application/gzip: a tar of the data directory with backup.json (what it holds) at its root; extract it into an empty directory and start Historian on it. 409 while another backup is being made; 507 when the data disk is below its low-space watermark', contentType: 'application/gzip' },
      handler: async (ctx) => {
        assertCanStart();
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.systemBackup, BACKUP_TARGET);
        return sendBackup(ctx.req, ctx.res, { principal: callerOf(ctx), signature });
      },
    }),
    defineRoute({
      method: 'post', path: '/system/backup/links', group: 'system', permission: 'system.backup',
      summary: 'A one-time link to download a backup (for browsers, which save a file they navigate to as it streams): signed as the backup itself (system.backup on system); the link serves one download, from this client address, within 60 s',
      signs: [CRITICAL.systemBackup],
      response: { status: 201, description: '`url`: GET it (no Authorization header needed) within `expiresAt` (ms since the epoch) for the archive POST /system/backup answers with; the backup is made, and audited, when the link is used', schema: z.object({ url: z.string(), expiresAt: z.number() }) },
      handler: (ctx) => {
        assertCanStart();
        const signature = signatureFor(ctx, deps.signatures, CRITICAL.systemBackup, BACKUP_TARGET);
        const { id, expiresAt } = links.issue({ principal: callerOf(ctx), signature }, ctx.req.ip ?? null);
        return { url: `/api/v1/system/backup/download/${id}`, expiresAt };
      },
    }),
    defineRoute({
      method: 'get', path: '/system/backup/download/:link', group: 'system', permission: 'public',
      summary: 'The backup a one-time link of POST /system/backup/links stands for: the link is its credential (made by an administrator\'s signed request, one download, the same client address, 60 s)',
      params: z.object({ link: z.string().max(100) }),
      response: { status: 200, description: 'application/gzip, as POST /system/backup answers; 404 when the link is unknown, used, expired or from another address', contentType: 'application/gzip' },
      handler: (ctx) => {
        const grant = links.take(ctx.params.link, ctx.req.ip ?? null);
        if (!grant) throw new HttpError(404, 'not_found', 'this backup link is unknown, used or expired (a link serves one download within 60 s of its signature, from the address that asked for it): ask for a new one');
        return sendBackup(ctx.req, ctx.res, grant);
      },
    }),
  ];
}
