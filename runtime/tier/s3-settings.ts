// Where the cold tier lives: an S3-compatible bucket. Settings come from explicit options
// (node config, credentials from Node-RED's credential store), then `historian.s3` in the
// distribution settings, then HISTORIAN_S3_* environment variables; credentials left
// unset fall back to the SDK's own chain (AWS_* variables, instance roles).
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  /** e.g. http://127.0.0.1:9000 for MinIO; empty for AWS itself */
  endpoint?: string;
  region: string;
  bucket: string;
  /** key prefix inside the bucket, without leading or trailing "/" */
  prefix: string;
  /** path-style URLs (http://host/bucket/key), as MinIO needs */
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export class TierConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TierConfigError';
  }
}

const ENV: Record<keyof S3Settings, string> = {
  endpoint: 'HISTORIAN_S3_ENDPOINT', region: 'HISTORIAN_S3_REGION', bucket: 'HISTORIAN_S3_BUCKET', prefix: 'HISTORIAN_S3_PREFIX',
  forcePathStyle: 'HISTORIAN_S3_PATH_STYLE', accessKeyId: 'HISTORIAN_S3_ACCESS_KEY_ID', secretAccessKey: 'HISTORIAN_S3_SECRET_ACCESS_KEY',
  sessionToken: 'HISTORIAN_S3_SESSION_TOKEN',
};

type Loose = { [K in keyof S3Settings]?: unknown };

/** Merges the layers (first non-empty wins) and validates; errors name the field. */
export function resolveS3Settings(explicit: Loose = {}, settings: Loose = {}, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const pick = (k: keyof S3Settings): unknown => {
    for (const v of [explicit[k], settings[k], env[ENV[k]]]) if (v !== undefined && v !== null && v !== '') return v;
    return undefined;
  };
  const str = (k: keyof S3Settings): string | undefined => {
    const v = pick(k);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new TierConfigError(k, `must be a string (got ${typeof v})`);
    return v.trim();
  };
  const endpoint = str('endpoint');
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) throw new TierConfigError('endpoint', `must be an http(s) URL (got "${endpoint}")`);
  const bucket = str('bucket');
  if (!bucket) throw new TierConfigError('bucket', `is required (node setting, historian.s3.bucket or ${ENV.bucket})`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new TierConfigError('bucket', `"${bucket}" is not a valid bucket name`);
  const prefix = (str('prefix') ?? 'historian').replace(/^\/+|\/+$/g, '');
  if (/\/\/|\.\./.test(prefix)) throw new TierConfigError('prefix', `must not contain "//" or ".." (got "${prefix}")`);
  const ps = pick('forcePathStyle');
  const forcePathStyle = ps === undefined ? true : typeof ps === 'boolean' ? ps : /^(1|true|yes|on)$/i.test(String(ps));
  const accessKeyId = str('accessKeyId'), secretAccessKey = str('secretAccessKey');
  if (!!accessKeyId !== !!secretAccessKey) {
    throw new TierConfigError(accessKeyId ? 'secretAccessKey' : 'accessKeyId', 'access key id and secret access key go together');
  }
  return { endpoint, region: str('region') ?? 'us-east-1', bucket, prefix, forcePathStyle, accessKeyId, secretAccessKey, sessionToken: str('sessionToken') };
}

export function s3ClientFor(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint || undefined,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey!, sessionToken: s.sessionToken } : undefined,
    // many S3-compatible stores reject the SDK's default CRC trailers: checksums only where S3 requires them
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1, // retries are ours (retry.ts), with backoff and metrics
  });
}

/** Object keys of one store in the bucket (FORMAT-objects.md). */
export class ObjectKeys {
  constructor(readonly prefix: string, readonly store: string) {
    if (!/^[A-Za-z0-9_.-]+$/.test(store)) throw new TierConfigError('store', `"${store}" must be letters, digits, "_", "-" or "."`);
  }
  private get root(): string { return this.prefix ? `${this.prefix}/` : ''; }
  get blocksPrefix(): string { return `${this.root}${this.store}/blocks/`; }
  block(id: string): string { return `${this.blocksPrefix}${id}.blk`; }
  /** Hive-style: one directory per store and UTC day (FORMAT-objects.md "Parquet") */
  get parquetPrefix(): string { return `${this.root}parquet/store=${this.store}/`; }
  parquet(id: string, day: string): string {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TierConfigError('day', `"${day}" must be YYYY-MM-DD`);
    return `${this.parquetPrefix}date=${day}/${id}.parquet`;
  }
  /** The block id of a Parquet key of this store, or null for other keys. */
  parquetIdOf(key: string): string | null {
    if (!key.startsWith(this.parquetPrefix) || !key.endsWith('.parquet')) return null;
    const m = /^date=\d{4}-\d{2}-\d{2}\/([^/]+)\.parquet$/.exec(key.slice(this.parquetPrefix.length));
    return m ? m[1] : null;
  }
  /** The block id of a block key, or null for other keys. */
  idOf(key: string): string | null {
    if (!key.startsWith(this.blocksPrefix) || !key.endsWith('.blk')) return null;
    return key.slice(this.blocksPrefix.length, -4);
  }
}
