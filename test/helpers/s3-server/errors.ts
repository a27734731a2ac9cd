import { xmlEscape } from './xml';

/** An S3 error response: the code and HTTP status S3 itself uses for the same condition. */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }

  toXml(resource: string, requestId: string): string {
    const extra = Object.entries(this.extra)
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join('');
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${this.code}</Code><Message>${xmlEscape(this.message)}</Message>${extra}` +
      `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
    );
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
export const noSuchKey = (key: string) => new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
export const noSuchUpload = (uploadId: string) =>
  new S3Error('NoSuchUpload', 404, 'The specified multipart upload does not exist.', { UploadId: uploadId });
export const malformedXml = (why: string) =>
  new S3Error('MalformedXML', 400, `The XML you provided was not well-formed or did not validate: ${why}`);
export const badDigest = (what: string) =>
  new S3Error('BadDigest', 400, `The ${what} you specified did not match what we received.`);
