import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startS3, type S3Server } from '../../helpers/s3';
import { isPortFree } from '../../helpers/ports';
import { waitFor } from '../../helpers/wait';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

async function getText(client: S3Client, bucket: string, key: string, range?: string) {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return { text: await out.Body!.transformToString(), out };
}

describe('startS3', () => {
  let s3: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client();
    await s3.createBucket('archive');
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.dispose();
  });

  it('describes itself as a path-style endpoint on loopback', () => {
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
    expect(s3.forcePathStyle).toBe(true);
    expect(s3.clientConfig()).toMatchObject({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true });
  });

  it('stores, reads (whole and by range), lists and deletes objects', async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: 'archive', Key: 'chunks/a.bin', Body: 'hello historian' }));
    expect(put.ETag).toBe(`"${md5('hello historian')}"`);
    await client.send(new PutObjectCommand({ Bucket: 'archive', Key: 'chunks/b.bin', Body: Buffer.alloc(10, 7) }));
    await client.send(new PutObjectCommand({ Bucket: 'archive', Key: 'other/c.bin', Body: 'c' }));

    expect((await getText(client, 'archive', 'chunks/a.bin')).text).toBe('hello historian');
    const ranged = await getText(client, 'archive', 'chunks/a.bin', 'bytes=6-14');
    expect(ranged.text).toBe('historian');
    expect(ranged.out.ContentRange).toBe('bytes 6-14/15');

    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'chunks/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['chunks/a.bin', 15],
      ['chunks/b.bin', 10],
    ]);

    await client.send(new DeleteObjectCommand({ Bucket: 'archive', Key: 'chunks/a.bin' }));
    const after = await client.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'chunks/' }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(['chunks/b.bin']);
    await expect(client.send(new GetObjectCommand({ Bucket: 'archive', Key: 'chunks/a.bin' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('assembles a multipart upload', async () => {
    const part1 = Buffer.alloc(5 * 1024 * 1024, 0xab); // S3's minimum size for every part but the last
    const part2 = Buffer.from('tail of the file');
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'archive', Key: 'big.bin' }));
    const e1 = await client.send(new UploadPartCommand({ Bucket: 'archive', Key: 'big.bin', UploadId, PartNumber: 1, Body: part1 }));
    const e2 = await client.send(new UploadPartCommand({ Bucket: 'archive', Key: 'big.bin', UploadId, PartNumber: 2, Body: part2 }));
    expect(e1.ETag).toBe(`"${md5(part1)}"`);
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'archive',
        Key: 'big.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
      }),
    );
    // S3's multipart ETag: md5 of the concatenated binary part md5s, then "-<parts>"
    const expected = md5(Buffer.concat([Buffer.from(md5(part1), 'hex'), Buffer.from(md5(part2), 'hex')]));
    expect(done.ETag).toBe(`"${expected}-2"`);
    const whole = await client.send(new GetObjectCommand({ Bucket: 'archive', Key: 'big.bin' }));
    const bytes = Buffer.from(await whole.Body!.transformToByteArray());
    expect(bytes.length).toBe(part1.length + part2.length);
    expect(md5(bytes)).toBe(md5(Buffer.concat([part1, part2])));
  });

  it('stores the plain data of streamed uploads from a client with default checksum settings', async () => {
    // default SDK settings send aws-chunked bodies with a CRC32 trailer
    const { requestChecksumCalculation, responseChecksumValidation, ...config } = s3.clientConfig();
    expect([requestChecksumCalculation, responseChecksumValidation]).toEqual(['WHEN_REQUIRED', 'WHEN_REQUIRED']);
    const defaults = new S3Client(config);
    try {
      const body = Readable.from([Buffer.from('first-chunk '), Buffer.from('second-chunk')]);
      await defaults.send(new PutObjectCommand({ Bucket: 'archive', Key: 'streamed.txt', Body: body, ContentLength: 24 }));
      const got = await getText(defaults, 'archive', 'streamed.txt');
      expect(got.text).toBe('first-chunk second-chunk');
      expect(got.out.ContentEncoding).toBeUndefined();
      expect(got.out.ContentLength).toBe(24);
    } finally {
      defaults.destroy();
    }
  });

  it('rejects wrong credentials', async () => {
    const intruder = new S3Client({ ...s3.clientConfig(), credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong' } });
    try {
      await expect(intruder.send(new ListObjectsV2Command({ Bucket: 'archive' }))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
    } finally {
      intruder.destroy();
    }
  });

  it('keeps objects across stop and restart on the same port, and frees the port while stopped', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'archive', Key: 'durable.txt', Body: 'still here' }));
    const { port, endpoint } = s3;
    await s3.stop();
    expect(s3.isRunning()).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    await s3.restart();
    expect(s3.endpoint).toBe(endpoint);
    expect((await getText(client, 'archive', 'durable.txt')).text).toBe('still here');
  });

  it('can be killed in the middle of an upload, failing that upload', async () => {
    let sent = 0;
    const body = new Readable({
      read() {
        // trickle data so the upload is still running when the server dies
        if (sent >= 64) return;
        sent++;
        setTimeout(() => this.push(Buffer.alloc(1024, 1)), 20);
      },
    });
    const upload = client.send(
      new PutObjectCommand({ Bucket: 'archive', Key: 'cut-short.bin', Body: body, ContentLength: 64 * 1024 }),
    );
    const pid = s3.pid()!;
    await waitFor(() => sent >= 3, { what: 'the upload to be under way' });
    s3.kill('SIGKILL');
    await expect(upload).rejects.toThrow();
    await waitFor(() => !s3.isRunning(), { what: 'the S3 server to die' });
    expect(() => process.kill(pid, 0)).toThrow();

    await s3.restart();
    await expect(client.send(new GetObjectCommand({ Bucket: 'archive', Key: 'cut-short.bin' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });
});
