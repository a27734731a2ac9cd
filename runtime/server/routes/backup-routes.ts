// POST /system/backup: the whole installation as a .tar.gz, made while it runs (README
// "Backup and restore", runtime/backup/FORMAT-backup.md). The archive holds the accounts'
// password hashes, the keys that sign sessions and decrypt flow credentials, and every
// sample: it takes `system.backup` (administrators) and a signature, and every download,
// finished or not, is in the audit trail with what it held. A browser asks for a one-time
// link instead (POST /system/backup/links, same permission and signature) and navigates to
// it, so the archive streams to disk through the browser's own download.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import { actorFields, CRITICAL, type AuditTrail, type SignatureManifestation, type SignatureService } from '../../audit';
import { removeStaleStaging, snapshotDataDir, stagingBytes, STAGING_PREFIX, type BackupManifest, type OpenStore } from '../../backup';
import type { DiskWatermark } from '../../disk';
import type { Components } from '../../registry';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../../auth';
import { callerOf, defineRoute, DownloadLinks, HttpError, type RouteDef } from '../api/route';
import { signatureFor } from './audit-routes';

export interface BackupRouteDeps {
  dataDir: string;
  version: string;
  stores: Pick<Components['stores'], 'entries'>;
  trail: AuditTrail;
  signatures: SignatureService;
  disk?: DiskWatermark | null;
}

export const BACKUP_TARGET = 'system';

const mb = (b: number) => (b / 1_048_576).toFixed(1);

/** The stores open in this process (one still opening is waited for; one that failed is left to the directory copy). */
async function openStores(stores: BackupRouteDeps['stores']): Promise<OpenStore[]> {
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
  let running = false;
  const links = new DownloadLinks<BackupGrant>();

  /** 409 while a backup is being made; 507 when staging would take the disk below its watermark. */
  const assertCanStart = () => {
    if (running) throw new HttpError(409, 'conflict', 'a backup is being made; try again once it is done');
    const disk = deps.disk?.state();
    if (disk?.low) throw new HttpError(507, 'insufficient_storage', 'the data disk is below its low-space watermark: a backup needs room for copies of the databases and write-ahead logs');
    // staging must not take the disk below the watermark, where ingest would be refused
    const need = stagingBytes(deps.dataDir);
    if (disk && disk.watermarkBytes > 0 && disk.freeBytes - need < disk.watermarkBytes) {
      throw new HttpError(507, 'insufficient_storage', `a backup stages up to ${mb(need)} MB (copies of the databases and write-ahead logs; blocks are linked) and the data disk has ${mb(disk.freeBytes)} MB free, ${mb(disk.watermarkBytes)} MB of which writes keep as their watermark: free space first`);
    }
  };

  /** Makes the backup and streams it as the answer; the audit trail records it, finished or not. */
  const sendBackup = async (req: Request, res: Response, { principal, signature }: BackupGrant): Promise<undefined> => {
    assertCanStart();
    running = true;
    const staging = fs.mkdtempSync(path.join(deps.dataDir, STAGING_PREFIX));
    let manifest: BackupManifest | null = null;
    let sent = 0;
    let problem: string | null = null;
    try {
      manifest = await snapshotDataDir(deps.dataDir, staging, await openStores(deps.stores), { version: deps.version, host: os.hostname() });
      const stamp = new Date(manifest.createdAt).toISOString().replace(/[:.]/g, '-');
      res.status(200);
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Disposition', `attachment; filename="historian-backup-${os.hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}.tar.gz"`);
      res.setHeader('Cache-Control', 'no-store');
      const count = new Transform({ transform(chunk: Buffer, _enc, done) { sent += chunk.length; done(null, chunk); } });
      // compressed by Node's zlib on its thread pool: tar's own gzip runs on the event loop
      await pipeline(createTar({ cwd: staging, portable: true }, ['.']), createGzip(), count, res);
    } catch (e) {
      problem = (e as Error).message;
      if (!res.headersSent) throw new HttpError(500, 'internal', `backup: ${problem}`);
      res.destroy();
    } finally {
      running = false;
      // recorded once the download ended (or failed), in the turn it did: before the client's next request
      deps.trail.append({
        action: CRITICAL.systemBackup, target: BACKUP_TARGET, ...actorFields(principal), clientAddress: req.ip ?? null, signature,
        newValue: {
          completed: problem === null, ...(problem ? { problem } : {}), archiveBytes: sent,
          ...(manifest ? { createdAt: manifest.createdAt, phase1Ms: manifest.phase1Ms, longestHoldMs: manifest.longestHoldMs, files: manifest.files, bytes: manifest.bytes, databases: manifest.databases, stores: manifest.stores.map((s) => ({ dir: s.dir, blocks: s.blocks, walSegments: s.walSegments })) } : {}),
        },
      });
      // hard links and copies: removed without holding the event loop
      await fs.promises.rm(staging, { recursive: true, force: true });
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
