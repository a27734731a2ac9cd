import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { storedContentEncoding } from './aws-chunked';
import { readSmallBody, receiveBody } from './body';
import { S3Error, malformedXml, noSuchKey } from './errors';
import { listPage } from './listing';
import { verifySignature, type Credentials } from './sigv4';
import { FileStore, type ObjectAttributes, type ObjectMeta } from './store';
import { document, el, elements, text } from './xml';

// A path-style S3 API on loopback for tests: buckets, objects (Range, conditional writes,
// copy), listings (v1 and v2), batch delete and multipart uploads, with SigV4 checked.

export interface S3ServerOptions {
  dir: string;
  credentials: Credentials[];
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-language', 'expires'];
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
};

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  bucket: string;
  key: string;
  query: URLSearchParams;
  requestId: string;
}

function attributesFrom(req: IncomingMessage): ObjectAttributes {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const encoding = storedContentEncoding(req.headers);
  if (encoding) headers['content-encoding'] = encoding;
  const userMetadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') userMetadata[name.slice(11)] = value;
  }
  return { contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), headers, userMetadata };
}

function sendXml(r: Request, status: number, xml: string): void {
  r.res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  r.res.end(xml);
}

function sendEmpty(r: Request, status: number, headers: Record<string, string> = {}): void {
  r.res.writeHead(status, { ...headers, 'content-length': '0' });
  r.res.end();
}

const quoted = (etag: string) => `"${etag}"`;
const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');

function objectHeaders(meta: ObjectMeta, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': meta.contentType,
    etag: quoted(meta.etag),
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...meta.headers,
  };
  for (const [name, value] of Object.entries(meta.userMetadata)) headers[`x-amz-meta-${name}`] = value;
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(param);
    if (value !== null) headers[header] = value;
  }
  return headers;
}

/** [start, end] inclusive, or undefined to send the whole object (absent or multi-range header). */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) throw invalidRange(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined; // S3 ignores an inverted range
  }
  if (start >= size) throw invalidRange(size);
  return [start, end];
}

const invalidRange = (size: number) =>
  new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', { ActualObjectSize: String(size) });

function checkPreconditions(r: Request, meta: ObjectMeta): boolean {
  const ifMatch = r.req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && unquote(ifMatch) !== meta.etag) {
    throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  }
  const ifNoneMatch = r.req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || unquote(ifNoneMatch) === meta.etag)) {
    sendEmpty(r, 304, { etag: quoted(meta.etag) });
    return false;
  }
  return true;
}

export class S3ApiServer {
  readonly store: FileStore;
  readonly http: http.Server;

  constructor(private readonly options: S3ServerOptions) {
    this.store = new FileStore(options.dir);
    this.http = http.createServer((req, res) => void this.handle(req, res));
    // keep-alive sockets from SDK clients must not hold up close()
    this.http.keepAliveTimeout = 1000;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await this.store.init();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const address = this.http.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('server', 'HistorianTestS3');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const slash = rawPath.indexOf('/', 1);
    let bucket = '';
    let key = '';
    try {
      bucket = decodeURIComponent(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
      key = slash < 0 ? '' : decodeURIComponent(rawPath.slice(slash + 1));
    } catch {
      // malformed percent-encoding: answered below as a bad request
    }
    const r: Request = { req, res, bucket, key, query: new URLSearchParams(rawQuery), requestId };
    try {
      verifySignature({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers }, this.options.credentials);
      await this.route(r);
    } catch (err) {
      const s3err = err instanceof S3Error ? err : new S3Error('InternalError', 500, (err as Error).message ?? String(err));
      if (res.headersSent) {
        res.destroy(s3err);
        return;
      }
      const resource = rawPath;
      if (req.method === 'HEAD') sendEmpty(r, s3err.status, { 'x-amz-error-code': s3err.code });
      else sendXml(r, s3err.status, s3err.toXml(resource, requestId));
    }
  }

  private async route(r: Request): Promise<void> {
    const method = r.req.method;
    const q = new URLSearchParams(r.query);
    q.delete('x-id'); // the SDK names the operation in the URL; routing goes by the other parameters
    if (!r.bucket) {
      if (method === 'GET') return this.listBuckets(r);
    } else if (!r.key) {
      if (method === 'PUT' && q.size === 0) return this.createBucket(r);
      if (method === 'HEAD') return this.headBucket(r);
      if (method === 'DELETE' && q.size === 0) return this.deleteBucket(r);
      if (method === 'GET' && q.has('uploads')) return this.listUploads(r);
      if (method === 'GET' && q.has('location')) return this.bucketLocation(r);
      if (method === 'GET' && q.get('list-type') === '2') return this.listObjects(r, 2);
      if (method === 'GET' && ![...q.keys()].some((k) => !['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'].includes(k))) {
        return this.listObjects(r, 1);
      }
      if (method === 'POST' && q.has('delete')) return this.deleteObjects(r);
    } else {
      const uploadId = q.get('uploadId');
      if (method === 'PUT' && uploadId !== null && q.has('partNumber')) return this.uploadPart(r, uploadId);
      if (method === 'PUT' && r.req.headers['x-amz-copy-source'] !== undefined) return this.copyObject(r);
      if (method === 'PUT' && q.size === 0) return this.putObject(r);
      if (method === 'POST' && q.has('uploads')) return this.createUpload(r);
      if (method === 'POST' && uploadId !== null) return this.completeUpload(r, uploadId);
      if (method === 'DELETE' && uploadId !== null) return this.abortUpload(r, uploadId);
      if (method === 'GET' && uploadId !== null) return this.listParts(r, uploadId);
      if (method === 'DELETE') return this.deleteObject(r);
      if (method === 'GET' || method === 'HEAD') return this.getObject(r, method === 'HEAD');
    }
    throw new S3Error('NotImplemented', 501, `This test server does not implement ${method} ${r.req.url}`);
  }

  private async listBuckets(r: Request): Promise<void> {
    const buckets = await this.store.listBuckets();
    const body = buckets.map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.created)}</Bucket>`).join('');
    const owner = `<Owner>${el('ID', 'historian-test')}${el('DisplayName', 'historian-test')}</Owner>`;
    sendXml(r, 200, document('ListAllMyBucketsResult', `${owner}<Buckets>${body}</Buckets>`));
  }

  private async createBucket(r: Request): Promise<void> {
    await readSmallBody(r.req); // CreateBucketConfiguration: the region is ours anyway
    await this.store.createBucket(r.bucket);
    sendEmpty(r, 200, { location: `/${r.bucket}` });
  }

  private async headBucket(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    sendEmpty(r, 200, { 'x-amz-bucket-region': 'us-east-1' });
  }

  private async deleteBucket(r: Request): Promise<void> {
    await this.store.deleteBucket(r.bucket);
    sendEmpty(r, 204);
  }

  private async bucketLocation(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    sendXml(r, 200, document('LocationConstraint', ''));
  }

  private async listObjects(r: Request, version: 1 | 2): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const q = r.query;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeysParam = q.get('max-keys');
    const maxKeys = maxKeysParam === null ? 1000 : Number(maxKeysParam);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys' });
    }
    const token = q.get('continuation-token');
    let after = version === 2 ? (q.get('start-after') ?? '') : (q.get('marker') ?? '');
    if (version === 2 && token !== null) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after) throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    }
    const page = listPage(await this.store.listKeys(r.bucket), { prefix, delimiter, maxKeys: Math.min(maxKeys, 1000), after });
    const metas = await Promise.all(page.keys.map((key) => this.store.findObject(r.bucket, key)));
    const contents = metas
      .filter((m): m is ObjectMeta => m !== undefined)
      .map(
        (m) =>
          `<Contents>${el('Key', m.key)}${el('LastModified', m.lastModified)}${el('ETag', quoted(m.etag))}` +
          `${el('Size', m.size)}${el('StorageClass', 'STANDARD')}</Contents>`,
      )
      .join('');
    const prefixes = page.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', p)}</CommonPrefixes>`).join('');
    let head = `${el('Name', r.bucket)}${el('Prefix', prefix)}`;
    if (delimiter) head += el('Delimiter', delimiter);
    head += `${el('MaxKeys', maxKeys)}${el('IsTruncated', page.isTruncated)}`;
    if (version === 2) {
      head += el('KeyCount', page.keys.length + page.commonPrefixes.length);
      if (token !== null) head += el('ContinuationToken', token);
      if (q.has('start-after')) head += el('StartAfter', q.get('start-after')!);
      if (page.isTruncated && page.last !== undefined) head += el('NextContinuationToken', Buffer.from(page.last).toString('base64url'));
    } else {
      head += el('Marker', q.get('marker') ?? '');
      if (page.isTruncated && page.last !== undefined) head += el('NextMarker', page.last);
    }
    sendXml(r, 200, document('ListBucketResult', head + contents + prefixes));
  }

  private async deleteObjects(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const xml = (await readSmallBody(r.req)).toString('utf8');
    const objects = elements(xml, 'Object');
    if (!xml.includes('<Delete') || objects.length === 0) throw malformedXml('expected <Delete> with at least one <Object>');
    if (objects.length > 1000) throw malformedXml('at most 1000 objects per request');
    const quiet = text(xml, 'Quiet')?.trim() === 'true';
    const deleted: string[] = [];
    for (const object of objects) {
      const key = text(object, 'Key');
      if (key === undefined) throw malformedXml('<Object> without <Key>');
      await this.store.deleteObject(r.bucket, key);
      deleted.push(key);
    }
    const body = quiet ? '' : deleted.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('');
    sendXml(r, 200, document('DeleteResult', body));
  }

  private async putObject(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const tmp = this.store.tmpFile(r.bucket);
    const received = await receiveBody(r.req, tmp);
    const meta = await this.store.commitObject(
      r.bucket,
      r.key,
      tmp,
      { size: received.size, etag: received.md5.toString('hex'), ...attributesFrom(r.req) },
      { ifNoneMatch: r.req.headers['if-none-match'] === '*' },
    );
    sendEmpty(r, 200, { etag: quoted(meta.etag) });
  }

  private async copyObject(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    await readSmallBody(r.req);
    const source = decodeURIComponent(String(r.req.headers['x-amz-copy-source']).split('?')[0]!).replace(/^\//, '');
    const slash = source.indexOf('/');
    if (slash <= 0) throw new S3Error('InvalidArgument', 400, 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    const srcBucket = source.slice(0, slash);
    const srcKey = source.slice(slash + 1);
    await this.store.assertBucket(srcBucket);
    const src = await this.store.getObject(srcBucket, srcKey);
    const tmp = this.store.tmpFile(r.bucket);
    await fs.promises.copyFile(this.store.blobPath(srcBucket, src), tmp);
    const replace = String(r.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase() === 'REPLACE';
    const attributes = replace ? attributesFrom(r.req) : { contentType: src.contentType, headers: src.headers, userMetadata: src.userMetadata };
    const meta = await this.store.commitObject(r.bucket, r.key, tmp, { size: src.size, etag: src.etag, ...attributes });
    sendXml(r, 200, document('CopyObjectResult', el('LastModified', meta.lastModified) + el('ETag', quoted(meta.etag))));
  }

  private async getObject(r: Request, head: boolean): Promise<void> {
    await this.store.assertBucket(r.bucket);
    // an overwrite may remove the data between reading the metadata and opening it: read again
    for (let attempt = 0; ; attempt++) {
      const meta = await this.store.getObject(r.bucket, r.key);
      if (!checkPreconditions(r, meta)) return;
      const range = parseRange(r.req.headers.range, meta.size);
      const headers = objectHeaders(meta, r.query);
      const [start, end] = range ?? [0, meta.size - 1];
      headers['content-length'] = String(meta.size === 0 ? 0 : end - start + 1);
      if (range) headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
      if (head) {
        r.res.writeHead(range ? 206 : 200, headers);
        r.res.end();
        return;
      }
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(this.store.blobPath(r.bucket, meta), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchKey(r.key);
        throw err;
      }
      r.res.writeHead(range ? 206 : 200, headers);
      if (meta.size === 0) {
        await handle.close();
        r.res.end();
        return;
      }
      await pipeline(handle.createReadStream({ start, end }), r.res);
      return;
    }
  }

  private async deleteObject(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    await this.store.deleteObject(r.bucket, r.key);
    sendEmpty(r, 204);
  }

  private async createUpload(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    await readSmallBody(r.req);
    const uploadId = await this.store.createUpload(r.bucket, r.key, attributesFrom(r.req));
    sendXml(r, 200, document('InitiateMultipartUploadResult', el('Bucket', r.bucket) + el('Key', r.key) + el('UploadId', uploadId)));
  }

  private async uploadPart(r: Request, uploadId: string): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const partNumber = Number(r.query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new S3Error('InvalidArgument', 400, 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber' });
    }
    await this.store.getUpload(r.bucket, uploadId);
    const tmp = this.store.tmpFile(r.bucket);
    const received = await receiveBody(r.req, tmp);
    const part = await this.store.commitPart(r.bucket, uploadId, partNumber, tmp, received.size, received.md5.toString('hex'));
    sendEmpty(r, 200, { etag: quoted(part.etag) });
  }

  private async completeUpload(r: Request, uploadId: string): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const upload = await this.store.getUpload(r.bucket, uploadId);
    const xml = (await readSmallBody(r.req)).toString('utf8');
    const requested = elements(xml, 'Part').map((part) => ({
      partNumber: Number(text(part, 'PartNumber')?.trim()),
      etag: unquote(text(part, 'ETag') ?? ''),
    }));
    if (requested.length === 0) throw malformedXml('expected <CompleteMultipartUpload> with at least one <Part>');
    const stored = new Map((await this.store.listParts(r.bucket, uploadId)).map((p) => [p.partNumber, p]));
    const invalidPart = () =>
      new S3Error('InvalidPart', 400, 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.');
    const parts = requested.map((want, i) => {
      if (i > 0 && want.partNumber <= requested[i - 1]!.partNumber) {
        throw new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      }
      const part = stored.get(want.partNumber);
      if (!part || part.etag !== want.etag) throw invalidPart();
      if (i < requested.length - 1 && part.size < MIN_PART_SIZE) {
        throw new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.', {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART_SIZE),
          PartNumber: String(part.partNumber),
        });
      }
      return part;
    });
    const tmp = this.store.tmpFile(r.bucket);
    const out = fs.createWriteStream(tmp);
    try {
      for (const part of parts) {
        await pipeline(fs.createReadStream(this.store.partFile(r.bucket, uploadId, part.partNumber)), out, { end: false });
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out.destroy();
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    // S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-<number of parts>"
    const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
    const etag = `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
    const size = parts.reduce((sum, p) => sum + p.size, 0);
    const meta = await this.store.commitObject(r.bucket, upload.key, tmp, { size, etag, ...upload.attributes });
    await this.store.removeUpload(r.bucket, uploadId);
    const location = `http://${r.req.headers.host ?? '127.0.0.1'}/${r.bucket}/${encodeURIComponent(upload.key)}`;
    sendXml(
      r,
      200,
      document('CompleteMultipartUploadResult', el('Location', location) + el('Bucket', r.bucket) + el('Key', upload.key) + el('ETag', quoted(meta.etag))),
    );
  }

  private async abortUpload(r: Request, uploadId: string): Promise<void> {
    await this.store.assertBucket(r.bucket);
    await this.store.getUpload(r.bucket, uploadId);
    await this.store.removeUpload(r.bucket, uploadId);
    sendEmpty(r, 204);
  }

  private async listParts(r: Request, uploadId: string): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const upload = await this.store.getUpload(r.bucket, uploadId);
    const parts = await this.store.listParts(r.bucket, uploadId);
    const body = parts
      .map((p) => `<Part>${el('PartNumber', p.partNumber)}${el('LastModified', p.lastModified)}${el('ETag', quoted(p.etag))}${el('Size', p.size)}</Part>`)
      .join('');
    sendXml(
      r,
      200,
      document('ListPartsResult', el('Bucket', r.bucket) + el('Key', upload.key) + el('UploadId', uploadId) + el('IsTruncated', false) + body),
    );
  }

  private async listUploads(r: Request): Promise<void> {
    await this.store.assertBucket(r.bucket);
    const uploads = await this.store.listUploads(r.bucket);
    const body = uploads
      .map((u) => `<Upload>${el('Key', u.meta.key)}${el('UploadId', u.uploadId)}${el('Initiated', u.meta.initiated)}</Upload>`)
      .join('');
    sendXml(r, 200, document('ListMultipartUploadsResult', el('Bucket', r.bucket) + el('IsTruncated', false) + body));
  }
}
