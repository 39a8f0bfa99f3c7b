/**
 * Streaming byte → text decoders for CSV files. Chunks may cut a character anywhere; the decoders
 * keep the incomplete bytes for the next chunk, so memory stays bounded by the chunk size.
 */

import type { Encoding } from './sniff.ts';

export interface StreamDecoder {
  /** Text of this chunk (a character cut at its end is completed by the next chunk). */
  write(chunk: Uint8Array): string;
  /** Text of whatever bytes are still pending at the end of the file. */
  end(): string;
}

const CP1252 = new TextDecoder('windows-1252');
/** Each byte as Windows-1252 text: the fallback for bytes that are not valid UTF-8. */
const CP1252_TABLE: readonly string[] = Array.from({ length: 256 }, (_, b) => CP1252.decode(new Uint8Array([b])));

export function createDecoder(encoding: Encoding): StreamDecoder {
  if (encoding === 'windows-1252') {
    const decoder = new TextDecoder('windows-1252');
    return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
  }
  return utf8WithFallback();
}

/**
 * UTF-8, with every byte that is not part of a valid UTF-8 sequence read as Windows-1252 instead
 * of becoming U+FFFD. The encoding is guessed from the head of the file only; an export whose
 * first 64 KiB are plain ASCII and whose 5,000th row holds `Fran\xE7ois` is really Windows-1252,
 * and this reads it as `François` rather than silently losing the letter. A valid UTF-8 file is
 * decoded exactly as by `TextDecoder`. A leading byte-order mark is dropped.
 */
function utf8WithFallback(): StreamDecoder {
  // ignoreBOM: each run is decoded separately; only the file's first BOM is dropped, below.
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  let pending = new Uint8Array(0);
  let first = true;

  const run = (bytes: Uint8Array, final: boolean): string => {
    let out = '';
    let runStart = 0;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i] as number;
      if (b < 0x80) {
        i++;
        continue;
      }
      const len = sequenceLength(bytes, i);
      if (len > 0) {
        i += len;
        continue;
      }
      if (len < 0 && !final) {
        // Cut at the end of the chunk: decode what came before and keep the rest.
        out += utf8.decode(bytes.subarray(runStart, i));
        pending = bytes.slice(i);
        return out;
      }
      out += utf8.decode(bytes.subarray(runStart, i)) + CP1252_TABLE[b];
      i++;
      runStart = i;
    }
    out += utf8.decode(bytes.subarray(runStart, i));
    pending = new Uint8Array(0);
    return out;
  };

  const withBom = (text: string): string => {
    if (!first) return text;
    if (text === '') return text;
    first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };

  return {
    write(chunk) {
      const bytes = pending.length === 0 ? chunk : concat(pending, chunk);
      return withBom(run(bytes, false));
    },
    end() {
      const bytes = pending;
      pending = new Uint8Array(0);
      return withBom(run(bytes, true));
    },
  };
}

/**
 * Length of the valid UTF-8 sequence starting at `i` (2–4), 0 when the bytes there are not valid
 * UTF-8, −1 when they are a valid beginning cut by the end of the buffer. Follows the WHATWG
 * decoder's byte ranges: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
export function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) len = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k < len; k++) {
    if (i + k >= bytes.length) return -1;
    const c = bytes[i + k] as number;
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
  }
  return len;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
