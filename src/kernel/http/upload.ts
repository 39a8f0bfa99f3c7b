import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Problem } from './problem.ts';

/**
 * A file sent as the raw body of a request (`Content-Type: text/csv`, `application/pdf`, …),
 * read as a stream: the handler decides what to keep, so a large file never sits whole in memory.
 * The size limit holds on the bytes actually read, whatever Content-Length said; the SHA-256 of
 * what was read is available once the stream has ended.
 */
export interface Upload {
  contentType: string;
  /** Content-Length as sent, when it was. */
  declaredBytes: number | null;
  /** The body, chunk by chunk. Iterate once. Throws a 413 problem past `maxBytes`. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** Hex SHA-256 of the whole body; only after `chunks()` has been read to its end. */
  sha256(): string;
  /** Reads the whole body into one buffer (for small files: a protocol's PDF). */
  buffer(): Promise<Buffer>;
}

export interface UploadSpec {
  /** Accepted media types (without parameters). Others get 415. */
  contentTypes: readonly string[];
  /** Largest accepted body; a function of the configuration when the operator can change it. */
  maxBytes: number | ((config: { importMaxBytes: number }) => number);
}

export function payloadTooLarge(maxBytes: number): Problem {
  return new Problem(413, 'file_too_large', { params: { max: formatBytes(maxBytes) } });
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${Math.round((n / 2 ** 30) * 10) / 10} GB`;
  if (n >= 2 ** 20) return `${Math.round((n / 2 ** 20) * 10) / 10} MB`;
  return `${Math.round(n / 2 ** 10)} kB`;
}

export function createUpload(stream: Readable, contentType: string, declaredBytes: number | null, maxBytes: number): Upload {
  if (declaredBytes !== null && declaredBytes > maxBytes) {
    stream.resume(); // let the client finish sending; the answer is the 413
    throw payloadTooLarge(maxBytes);
  }
  const hash = createHash('sha256');
  let bytesRead = 0;
  let done = false;
  let started = false;
  const upload: Upload = {
    contentType,
    declaredBytes,
    get bytesRead() {
      return bytesRead;
    },
    async *chunks() {
      if (started) throw new Error('An upload can be read once');
      started = true;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytesRead += chunk.length;
        if (bytesRead > maxBytes) {
          stream.destroy();
          throw payloadTooLarge(maxBytes);
        }
        hash.update(chunk);
        yield chunk;
      }
      done = true;
    },
    sha256() {
      if (!done) throw new Error('The upload has not been read to its end');
      return hash.digest('hex');
    },
    async buffer() {
      const parts: Uint8Array[] = [];
      for await (const c of upload.chunks()) parts.push(c);
      return Buffer.concat(parts);
    },
  };
  return upload;
}
