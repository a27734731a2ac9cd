import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors';

// AWS Signature Version 4, as S3 checks it: the Authorization header form and the presigned
// query form. Chunk signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are not checked.

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** Path exactly as sent, still percent-encoded. */
  rawPath: string;
  /** Query string exactly as sent, without "?". */
  rawQuery: string;
  headers: IncomingHttpHeaders;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

function canonicalQuery(rawQuery: string, without?: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const key = decode(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decode(part.slice(eq + 1));
      return [uriEncode(key), uriEncode(value)] as const;
    })
    .filter(([key]) => key !== without);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaders(headers: IncomingHttpHeaders, signed: string[]): string {
  return signed
    .map((name) => {
      const value = headers[name];
      const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${joined.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

interface Parsed {
  accessKeyId: string;
  scope: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
}

function parseCredential(credential: string) {
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw new S3Error('AuthorizationHeaderMalformed', 400, `The credential "${credential}" is malformed.`);
  }
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

function parse(request: SignedRequest): Parsed | undefined {
  const auth = request.headers.authorization;
  const query = new URLSearchParams(request.rawQuery);
  if (auth) {
    if (!auth.startsWith(`${ALGORITHM} `)) {
      throw new S3Error('InvalidRequest', 400, 'Only the AWS4-HMAC-SHA256 signing algorithm is supported.');
    }
    const fields = Object.fromEntries(
      auth
        .slice(ALGORITHM.length + 1)
        .split(',')
        .map((part) => part.trim().split('=') as [string, string]),
    );
    if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
      throw new S3Error('AuthorizationHeaderMalformed', 400, 'The authorization header is malformed.');
    }
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
    if (!payloadHash) {
      throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
    }
    return {
      ...parseCredential(fields.Credential),
      signedHeaders: fields.SignedHeaders.split(';'),
      signature: fields.Signature,
      amzDate,
      payloadHash,
      presigned: false,
    };
  }
  if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
      throw new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const amzDate = query.get('X-Amz-Date') ?? '';
    const expires = Number(query.get('X-Amz-Expires') ?? '0');
    const issued = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isFinite(issued) || Date.now() > issued + expires * 1000) {
      throw new S3Error('AccessDenied', 403, 'Request has expired');
    }
    return {
      ...parseCredential(query.get('X-Amz-Credential') ?? ''),
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate,
      payloadHash: 'UNSIGNED-PAYLOAD',
      presigned: true,
    };
  }
  return undefined;
}

/**
 * Checks the request's signature against the known credentials; throws the S3 error a real
 * S3 would answer with. Unsigned requests are refused (every bucket here is private).
 */
export function verifySignature(request: SignedRequest, credentials: Credentials[]): void {
  const parsed = parse(request);
  if (!parsed) throw new S3Error('AccessDenied', 403, 'Access Denied');
  const account = credentials.find((c) => c.accessKeyId === parsed.accessKeyId);
  if (!account) {
    throw new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: parsed.accessKeyId,
    });
  }
  const canonicalRequest = [
    request.method,
    request.rawPath,
    canonicalQuery(request.rawQuery, parsed.presigned ? 'X-Amz-Signature' : undefined),
    canonicalHeaders(request.headers, parsed.signedHeaders),
    parsed.signedHeaders.join(';'),
    parsed.payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, parsed.amzDate, parsed.scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = createHmac('sha256', signingKey(account.secretAccessKey, parsed.date, parsed.region, parsed.service))
    .update(stringToSign, 'utf8')
    .digest();
  const provided = Buffer.from(parsed.signature, 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: parsed.accessKeyId, StringToSign: stringToSign, CanonicalRequest: canonicalRequest },
    );
  }
}
