import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked';
import { S3Error, badDigest } from './errors';

export interface ReceivedBody {
  size: number;
  /** MD5 of the (decoded) body: S3's ETag of a single-part object. */
  md5: Buffer;
}

/** Running digests of the body, for every integrity header the client may have sent. */
class Digests extends Transform {
  size = 0;
  readonly md5 = createHash('md5');
  readonly sha256 = createHash('sha256');
  readonly sha1 = createHash('sha1');
  crc32 = 0;

  override _transform(chunk: Buffer, _e: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.sha1.update(chunk);
    this.crc32 = zlib.crc32(chunk, this.crc32);
    callback(null, chunk);
  }
}

function crc32Base64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

function check(digests: Digests, req: IncomingMessage, trailers: Record<string, string>, md5: Buffer): void {
  const h = req.headers;
  const sha256 = digests.sha256.digest();
  const sha1 = digests.sha1.digest();

  const contentMd5 = h['content-md5'];
  if (contentMd5 !== undefined && contentMd5 !== md5.toString('base64')) throw badDigest('Content-MD5');

  const payloadHash = String(h['x-amz-content-sha256'] ?? '');
  if (/^[0-9a-f]{64}$/i.test(payloadHash) && payloadHash.toLowerCase() !== sha256.toString('hex')) {
    throw new S3Error('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const decoded = h['x-amz-decoded-content-length'];
  if (decoded !== undefined && Number(decoded) !== digests.size) {
    throw new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header');
  }

  // a checksum arrives as a header, or as a trailer after an aws-chunked body
  const sent = (name: string) => (h[name] as string | undefined) ?? trailers[name];
  const expectations: [string, string, string][] = [
    ['x-amz-checksum-crc32', crc32Base64(digests.crc32), 'CRC32 checksum'],
    ['x-amz-checksum-sha1', sha1.toString('base64'), 'SHA1 checksum'],
    ['x-amz-checksum-sha256', sha256.toString('base64'), 'SHA256 checksum'],
  ];
  for (const [name, actual, what] of expectations) {
    const claimed = sent(name);
    if (claimed !== undefined && claimed !== actual) throw badDigest(what);
  }
}

/**
 * Streams a request body into `file`, unwrapping aws-chunked framing and checking every
 * digest the client sent (Content-MD5, x-amz-content-sha256, CRC32/SHA1 checksums). The file is
 * removed when anything fails, so a half-received body never becomes an object.
 */
export async function receiveBody(req: IncomingMessage, file: string): Promise<ReceivedBody> {
  const digests = new Digests();
  const decoder = isAwsChunked(req.headers) ? new AwsChunkedDecoder() : undefined;
  try {
    const stages: (Readable | Transform | fs.WriteStream)[] = [req];
    if (decoder) stages.push(decoder);
    stages.push(digests, fs.createWriteStream(file));
    await pipeline(stages as unknown as [Readable, ...Transform[], fs.WriteStream]);
    const md5 = digests.md5.digest();
    check(digests, req, decoder?.trailers ?? {}, md5);
    return { size: digests.size, md5 };
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    if (err instanceof S3Error) throw err;
    throw new S3Error('IncompleteBody', 400, `The request body could not be read: ${(err as Error).message}`);
  }
}

/** Reads a small body (an XML request) into memory, unwrapping aws-chunked framing. */
export async function readSmallBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const source: Readable = isAwsChunked(req.headers) ? req.pipe(new AwsChunkedDecoder()) : req;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const contentMd5 = req.headers['content-md5'];
  if (contentMd5 !== undefined && contentMd5 !== createHash('md5').update(body).digest('base64')) throw badDigest('Content-MD5');
  return body;
}
