import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { S3Error, noSuchBucket, noSuchKey, noSuchUpload } from './errors';

// Buckets, objects and multipart uploads on disk; the layout is in FORMAT-store.md. An object
// becomes visible only by the atomic rename of its metadata file, after its data is complete.

export interface ObjectMeta {
  key: string;
  size: number;
  /** Without quotes: hex MD5, or "<hex>-<parts>" for a multipart object. */
  etag: string;
  lastModified: string;
  contentType: string;
  /** Content-Encoding, Cache-Control, Content-Disposition, Content-Language, Expires as sent. */
  headers: Record<string, string>;
  /** x-amz-meta-* values by lower-cased suffix. */
  userMetadata: Record<string, string>;
  /** File name of the data under <bucket>/data/. */
  blob: string;
}

export type ObjectAttributes = Omit<ObjectMeta, 'key' | 'size' | 'etag' | 'lastModified' | 'blob'>;

export interface UploadMeta {
  key: string;
  initiated: string;
  attributes: ObjectAttributes;
}

export interface PartMeta {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// file names stay under the usual 255-byte limit with the ".json" suffix
const MAX_ENCODED_KEY = 250;

const encodeKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeKey = (name: string) => Buffer.from(name, 'base64url').toString('utf8');

async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.promises.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes JSON so that readers see the old or the new content, never a torn file. */
async function writeJsonAtomic(file: string, value: unknown, tmpDir: string): Promise<void> {
  const tmp = path.join(tmpDir, `${randomUUID()}.json`);
  await fs.promises.writeFile(tmp, JSON.stringify(value));
  await fs.promises.rename(tmp, file);
}

export class FileStore {
  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await fs.promises.mkdir(this.root, { recursive: true });
  }

  private bucketDir(bucket: string): string {
    return path.join(this.root, bucket);
  }

  private objectFile(bucket: string, key: string): string {
    const encoded = encodeKey(key);
    if (encoded.length > MAX_ENCODED_KEY) {
      throw new S3Error('KeyTooLongError', 400, 'Your key is too long (this test server keeps keys under ~185 bytes).');
    }
    return path.join(this.bucketDir(bucket), 'objects', `${encoded}.json`);
  }

  tmpDir(bucket: string): string {
    return path.join(this.bucketDir(bucket), 'tmp');
  }

  /** A fresh file name in the bucket's tmp dir, on the same file system as the data. */
  tmpFile(bucket: string): string {
    return path.join(this.tmpDir(bucket), randomUUID());
  }

  blobPath(bucket: string, meta: ObjectMeta): string {
    return path.join(this.bucketDir(bucket), 'data', meta.blob);
  }

  async listBuckets(): Promise<{ name: string; created: string }[]> {
    const names = (await fs.promises.readdir(this.root)).filter((n) => BUCKET_NAME.test(n)).sort();
    return Promise.all(
      names.map(async (name) => ({
        name,
        created: (await readJson<{ created: string }>(path.join(this.bucketDir(name), 'bucket.json')))?.created ?? new Date(0).toISOString(),
      })),
    );
  }

  async createBucket(bucket: string): Promise<void> {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
      throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
    }
    const dir = this.bucketDir(bucket);
    if (await exists(path.join(dir, 'bucket.json'))) {
      throw new S3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', {
        BucketName: bucket,
      });
    }
    for (const sub of ['objects', 'data', 'uploads', 'tmp']) await fs.promises.mkdir(path.join(dir, sub), { recursive: true });
    await writeJsonAtomic(path.join(dir, 'bucket.json'), { created: new Date().toISOString() }, this.tmpDir(bucket));
  }

  async assertBucket(bucket: string): Promise<void> {
    if (!BUCKET_NAME.test(bucket) || !(await exists(path.join(this.bucketDir(bucket), 'bucket.json')))) throw noSuchBucket(bucket);
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.assertBucket(bucket);
    if ((await this.listKeys(bucket)).length > 0) {
      throw new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket });
    }
    await fs.promises.rm(this.bucketDir(bucket), { recursive: true, force: true });
  }

  /** Every key of the bucket, in S3's order (UTF-8 byte order). */
  async listKeys(bucket: string): Promise<string[]> {
    const names = await fs.promises.readdir(path.join(this.bucketDir(bucket), 'objects'));
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => decodeKey(n.slice(0, -5)))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async findObject(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    return readJson<ObjectMeta>(this.objectFile(bucket, key));
  }

  async getObject(bucket: string, key: string): Promise<ObjectMeta> {
    const meta = await this.findObject(bucket, key);
    if (!meta) throw noSuchKey(key);
    return meta;
  }

  /**
   * Makes `dataFile` (already complete, in the bucket's tmp dir) the content of `key`.
   * With `ifNoneMatch`, fails with 412 when the key already exists.
   */
  async commitObject(
    bucket: string,
    key: string,
    dataFile: string,
    fields: Omit<ObjectMeta, 'key' | 'blob' | 'lastModified'>,
    options: { ifNoneMatch?: boolean } = {},
  ): Promise<ObjectMeta> {
    const file = this.objectFile(bucket, key);
    const previous = await readJson<ObjectMeta>(file);
    if (options.ifNoneMatch && previous) {
      await fs.promises.rm(dataFile, { force: true });
      throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    const blob = randomUUID();
    await fs.promises.rename(dataFile, path.join(this.bucketDir(bucket), 'data', blob));
    const meta: ObjectMeta = { ...fields, key, blob, lastModified: new Date().toISOString() };
    await writeJsonAtomic(file, meta, this.tmpDir(bucket));
    if (previous) await fs.promises.rm(this.blobPath(bucket, previous), { force: true });
    return meta;
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const file = this.objectFile(bucket, key);
    const previous = await readJson<ObjectMeta>(file);
    if (!previous) return;
    await fs.promises.rm(file, { force: true });
    await fs.promises.rm(this.blobPath(bucket, previous), { force: true });
  }

  private uploadDir(bucket: string, uploadId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw noSuchUpload(uploadId);
    return path.join(this.bucketDir(bucket), 'uploads', uploadId);
  }

  async createUpload(bucket: string, key: string, attributes: ObjectAttributes): Promise<string> {
    this.objectFile(bucket, key); // rejects keys too long before any part arrives
    const uploadId = randomUUID();
    const dir = this.uploadDir(bucket, uploadId);
    await fs.promises.mkdir(dir);
    const meta: UploadMeta = { key, initiated: new Date().toISOString(), attributes };
    await writeJsonAtomic(path.join(dir, 'upload.json'), meta, this.tmpDir(bucket));
    return uploadId;
  }

  async getUpload(bucket: string, uploadId: string): Promise<UploadMeta> {
    const meta = await readJson<UploadMeta>(path.join(this.uploadDir(bucket, uploadId), 'upload.json'));
    if (!meta) throw noSuchUpload(uploadId);
    return meta;
  }

  partFile(bucket: string, uploadId: string, partNumber: number): string {
    return path.join(this.uploadDir(bucket, uploadId), `part-${partNumber}`);
  }

  /** Files the received part (already complete in tmp) under the upload, replacing an earlier one. */
  async commitPart(bucket: string, uploadId: string, partNumber: number, dataFile: string, size: number, etag: string): Promise<PartMeta> {
    await this.getUpload(bucket, uploadId);
    const target = this.partFile(bucket, uploadId, partNumber);
    await fs.promises.rename(dataFile, target);
    const meta: PartMeta = { partNumber, size, etag, lastModified: new Date().toISOString() };
    await writeJsonAtomic(`${target}.json`, meta, this.tmpDir(bucket));
    return meta;
  }

  async listParts(bucket: string, uploadId: string): Promise<PartMeta[]> {
    const dir = this.uploadDir(bucket, uploadId);
    await this.getUpload(bucket, uploadId);
    const names = (await fs.promises.readdir(dir)).filter((n) => /^part-\d+\.json$/.test(n));
    const parts = await Promise.all(names.map((n) => readJson<PartMeta>(path.join(dir, n))));
    return parts.filter((p): p is PartMeta => p !== undefined).sort((a, b) => a.partNumber - b.partNumber);
  }

  async listUploads(bucket: string): Promise<{ uploadId: string; meta: UploadMeta }[]> {
    const ids = await fs.promises.readdir(path.join(this.bucketDir(bucket), 'uploads'));
    const found = await Promise.all(
      ids.map(async (uploadId) => ({ uploadId, meta: await readJson<UploadMeta>(path.join(this.uploadDir(bucket, uploadId), 'upload.json')) })),
    );
    return found.filter((u): u is { uploadId: string; meta: UploadMeta } => u.meta !== undefined);
  }

  async removeUpload(bucket: string, uploadId: string): Promise<void> {
    await fs.promises.rm(this.uploadDir(bucket, uploadId), { recursive: true, force: true });
  }
}
