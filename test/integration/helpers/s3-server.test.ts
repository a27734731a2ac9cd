import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AwsChunkedDecoder } from '../../helpers/s3-server/aws-chunked';
import { listPage } from '../../helpers/s3-server/listing';
import { startS3, type S3Server } from '../../helpers/s3';

// The S3 test server must behave like S3 where our code depends on it; these cases pin the
// parts that a shortcut would get wrong.

async function decode(pieces: Buffer[]): Promise<{ data: string; trailers: Record<string, string> }> {
  const decoder = new AwsChunkedDecoder();
  const chunks: Buffer[] = [];
  decoder.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve).on('error', reject);
    Readable.from(pieces).on('error', reject).pipe(decoder);
  });
  return { data: Buffer.concat(chunks).toString(), trailers: decoder.trailers };
}

describe('aws-chunked decoding', () => {
  const framed = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');

  it('yields the data and the trailers however the bytes are split', async () => {
    for (const size of [1, 2, 3, 7, framed.length]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < framed.length; i += size) pieces.push(framed.subarray(i, i + size));
      const out = await decode(pieces);
      expect(out.data).toBe('hello world');
      expect(out.trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
    }
  });

  it('fails on a body cut inside a chunk and on bad framing', async () => {
    await expect(decode([framed.subarray(0, 20)])).rejects.toThrow(/ended inside a chunk/);
    await expect(decode([Buffer.from('zz\r\nhello\r\n')])).rejects.toThrow(/bad aws-chunked size line/);
  });
});

describe('listing pages', () => {
  const keys = ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'd'];

  it('groups by delimiter and resumes after a common prefix', () => {
    const first = listPage(keys, { prefix: '', delimiter: '/', maxKeys: 2, after: '' });
    expect(first).toEqual({ keys: ['b'], commonPrefixes: ['a/'], isTruncated: true, last: 'b' });
    const second = listPage(keys, { prefix: '', delimiter: '/', maxKeys: 1, after: 'b' });
    expect(second).toMatchObject({ keys: [], commonPrefixes: ['c/'], isTruncated: true, last: 'c/' });
    const third = listPage(keys, { prefix: '', delimiter: '/', maxKeys: 5, after: 'c/' });
    expect(third).toMatchObject({ keys: ['d'], commonPrefixes: [], isTruncated: false });
    expect(listPage(keys, { prefix: 'c/', delimiter: '/', maxKeys: 10, after: '' })).toMatchObject({
      keys: ['c/y'],
      commonPrefixes: ['c/x/'],
    });
  });
});

describe('S3 test server semantics', () => {
  let s3: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client();
    await s3.createBucket('semantics');
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.dispose();
  });

  it('pages ListObjectsV2 with continuation tokens', async () => {
    for (const key of ['p/1', 'p/2', 'p/3', 'p/4', 'p/5']) {
      await client.send(new PutObjectCommand({ Bucket: 'semantics', Key: key, Body: key }));
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'semantics', Prefix: 'p/', MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      token = page.NextContinuationToken;
      expect(Boolean(token)).toBe(page.IsTruncated);
      pages++;
    } while (token);
    expect(seen).toEqual(['p/1', 'p/2', 'p/3', 'p/4', 'p/5']);
    expect(pages).toBe(3);

    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: 'semantics', Delete: { Objects: ['p/1', 'p/2', 'p/3', 'p/4', 'p/5'].map((Key) => ({ Key })) } }),
    );
    expect(deleted.Deleted).toHaveLength(5);
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'semantics', Prefix: 'p/' }))).KeyCount).toBe(0);
  });

  it('keeps metadata, copies objects and honours If-None-Match on write', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: 'semantics', Key: 'm.json', Body: '{}', ContentType: 'application/json', Metadata: { series: 'flow' } }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: 'semantics', Key: 'm.json' }));
    expect(head).toMatchObject({ ContentType: 'application/json', ContentLength: 2, Metadata: { series: 'flow' } });

    const copy = await client.send(new CopyObjectCommand({ Bucket: 'semantics', Key: 'copy.json', CopySource: 'semantics/m.json' }));
    expect(copy.CopyObjectResult?.ETag).toBe(head.ETag);

    await expect(
      client.send(new PutObjectCommand({ Bucket: 'semantics', Key: 'm.json', Body: 'new', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it('rejects a body whose Content-MD5 does not match', async () => {
    const wrong = createHash('md5').update('something else').digest('base64');
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'semantics', Key: 'bad.bin', Body: 'payload', ContentMD5: wrong })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(client.send(new HeadObjectCommand({ Bucket: 'semantics', Key: 'bad.bin' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses multipart parts below 5 MiB except the last', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'semantics', Key: 'small-parts' }));
    const p1 = await client.send(new UploadPartCommand({ Bucket: 'semantics', Key: 'small-parts', UploadId, PartNumber: 1, Body: 'tiny' }));
    const p2 = await client.send(new UploadPartCommand({ Bucket: 'semantics', Key: 'small-parts', UploadId, PartNumber: 2, Body: 'tiny' }));
    await expect(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'semantics',
          Key: 'small-parts',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    // a single small part is a valid upload
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: 'semantics', Key: 'small-parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
  });
});
