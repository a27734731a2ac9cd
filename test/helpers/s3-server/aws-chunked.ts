import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

// Decoder of the aws-chunked request body framing; see FORMAT-aws-chunked.md.

const CRLF = Buffer.from('\r\n');
const MAX_LINE = 8192;

type State = 'size' | 'data' | 'crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = 'size';
  private remaining = 0;
  /** Trailing headers such as x-amz-checksum-crc32, by lower-cased name; complete after 'end'. */
  readonly trailers: Record<string, string> = {};

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      this.drain();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // some clients end the body right after the last chunk's trailers without the final CRLF
    if (this.state !== 'done' && this.state !== 'trailer') {
      callback(new Error(`aws-chunked body ended inside a chunk (while reading ${this.state})`));
      return;
    }
    callback();
  }

  private line(): string | undefined {
    const end = this.buf.indexOf(CRLF);
    if (end < 0) {
      if (this.buf.length > MAX_LINE) throw new Error('aws-chunked framing line too long');
      return undefined;
    }
    const text = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 2);
    return text;
  }

  private drain(): void {
    for (;;) {
      switch (this.state) {
        case 'size': {
          const text = this.line();
          if (text === undefined) return;
          const hex = text.split(';')[0]!.trim(); // "<hex-size>[;chunk-signature=<sig>]"
          if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw new Error(`bad aws-chunked size line "${text.slice(0, 80)}"`);
          const size = parseInt(hex, 16);
          if (size === 0) this.state = 'trailer';
          else {
            this.remaining = size;
            this.state = 'data';
          }
          break;
        }
        case 'data': {
          if (this.buf.length === 0) return;
          const n = Math.min(this.remaining, this.buf.length);
          this.push(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'crlf';
          break;
        }
        case 'crlf': {
          if (this.buf.length < 2) return;
          if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new Error('aws-chunked chunk data not followed by CRLF');
          this.buf = this.buf.subarray(2);
          this.state = 'size';
          break;
        }
        case 'trailer': {
          const text = this.line();
          if (text === undefined) return;
          if (text === '') {
            this.state = 'done';
            break;
          }
          const colon = text.indexOf(':');
          if (colon <= 0) throw new Error(`bad aws-chunked trailer "${text.slice(0, 80)}"`);
          this.trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
          break;
        }
        case 'done':
          this.buf = Buffer.alloc(0);
          return;
      }
    }
  }
}

/** True when the request body uses aws-chunked framing. */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encodings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase());
  return encodings.includes('aws-chunked') || String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

/** Content-Encoding with aws-chunked removed (undefined when nothing is left), as S3 stores it. */
export function storedContentEncoding(headers: IncomingHttpHeaders): string | undefined {
  const rest = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(',') : undefined;
}
