// Uploads one object from a local reader: a single PUT for small objects, multipart for
// big ones, every body with Content-MD5 so the server rejects a body damaged in transit.
// Returns the ETag S3 computes for such an upload, so the caller can verify what the
// server stored (FORMAT-objects.md). A failed multipart upload is aborted.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand,
  UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { withRetry, type RetryOptions } from './retry';
import type { Throttle } from './throttle';

/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 << 20;

export interface UploadInput {
  client: S3Client;
  bucket: string;
  key: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** part size; objects larger than this go multipart (default 8 MiB, at least 5 MiB) */
  partBytes?: number;
  metadata?: Record<string, string>;
  contentType?: string;
  throttle?: Throttle;
  retry?: RetryOptions;
  /** called after each part or object body is accepted */
  onBytes?: (n: number) => void;
  /** called between parts (crash tests stop the process here) */
  onPart?: (partNumber: number, parts: number) => Promise<void> | void;
}

export interface Uploaded { expectedEtag: string; etag: string; parts: number }

const unquote = (s: string | undefined) => (s ?? '').replace(/"/g, '');

export async function uploadObject(u: UploadInput): Promise<Uploaded> {
  const partBytes = Math.max(u.partBytes ?? 8 << 20, MIN_PART_BYTES);
  if (u.size <= partBytes) {
    const body = await u.read(0, u.size);
    const md5 = createHash('md5').update(body).digest();
    await u.throttle?.take(body.length);
    const r = await withRetry(() => u.client.send(new PutObjectCommand({
      Bucket: u.bucket, Key: u.key, Body: body, ContentLength: body.length, ContentMD5: md5.toString('base64'),
      Metadata: u.metadata, ContentType: u.contentType ?? 'application/octet-stream',
    })), u.retry);
    u.onBytes?.(body.length);
    return { expectedEtag: md5.toString('hex'), etag: unquote(r.ETag), parts: 1 };
  }
  const created = await withRetry(() => u.client.send(new CreateMultipartUploadCommand({
    Bucket: u.bucket, Key: u.key, Metadata: u.metadata, ContentType: u.contentType ?? 'application/octet-stream',
  })), u.retry);
  const uploadId = created.UploadId!;
  const n = Math.ceil(u.size / partBytes);
  const md5s: Buffer[] = [];
  const parts: Array<{ PartNumber: number; ETag: string }> = [];
  try {
    for (let i = 0; i < n; i++) {
      const off = i * partBytes, len = Math.min(partBytes, u.size - off);
      const body = await u.read(off, len);
      const md5 = createHash('md5').update(body).digest();
      await u.throttle?.take(len);
      const r = await withRetry(() => u.client.send(new UploadPartCommand({
        Bucket: u.bucket, Key: u.key, UploadId: uploadId, PartNumber: i + 1, Body: body, ContentLength: len, ContentMD5: md5.toString('base64'),
      })), u.retry);
      if (unquote(r.ETag) !== md5.toString('hex')) throw new Error(`part ${i + 1} of ${u.key}: server ETag ${r.ETag} is not the MD5 of the part`);
      md5s.push(md5);
      parts.push({ PartNumber: i + 1, ETag: r.ETag! });
      u.onBytes?.(len);
      await u.onPart?.(i + 1, n);
    }
    const done = await withRetry(() => u.client.send(new CompleteMultipartUploadCommand({
      Bucket: u.bucket, Key: u.key, UploadId: uploadId, MultipartUpload: { Parts: parts },
    })), u.retry);
    const expectedEtag = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${n}`;
    return { expectedEtag, etag: unquote(done.ETag), parts: n };
  } catch (e) {
    await u.client.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: uploadId })).catch(() => undefined);
    throw e;
  }
}
