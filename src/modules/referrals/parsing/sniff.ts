/**
 * Guessing what an uploaded file is from its first bytes: container format, text encoding,
 * binary garbage, and the CSV delimiter. Pure functions over a head of the file; `openTable`
 * turns their verdicts into `TableError`s.
 */

/** How many bytes of the file the guesses look at. */
export const HEAD_BYTES = 64 * 1024;

/** How many records after the header the delimiter guess compares. */
export const SNIFF_RECORDS = 50;

export type Encoding = 'utf-8' | 'windows-1252';

/**
 * UTF-8 when the head starts with a UTF-8 byte-order mark or is valid UTF-8; Windows-1252
 * otherwise.
 *
 * Why Windows-1252 as the fallback: Belgian police and municipal software runs on Windows, and
 * Excel's "CSV (delimited)" export writes the machine's ANSI code page, which is Windows-1252 for
 * Dutch, French and German. It is a superset of ISO-8859-1 for every printable character, so it
 * also reads Latin-1 files correctly. A Windows-1252 text with accents is almost never valid UTF-8
 * (an accented letter followed by a plain letter is an invalid sequence), so valid UTF-8 is a
 * reliable signal. A multi-byte sequence cut by the end of the head is not held against the file:
 * the streaming decoder keeps it for the next chunk.
 */
export function detectEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  try {
    // `stream: true` keeps an incomplete final sequence pending instead of failing on it.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export type ContainerFormat = 'xlsx' | 'xls' | 'text';

/** XLSX is a ZIP (`PK\x03\x04`); the old binary Excel format is an OLE2 compound file. */
export function detectContainer(head: Uint8Array): ContainerFormat {
  const starts = (magic: number[]) => magic.every((b, i) => head[i] === b);
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'xlsx';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'xls';
  return 'text';
}

/** Share of control characters above which a head is taken for binary data. */
const MAX_CONTROL_SHARE = 0.02;

/**
 * True for a head that is not text: any NUL byte (never present in a CSV, always in images, PDFs,
 * UTF-16 and executables), or more than 2% of C0 control bytes other than tab, CR, LF and form
 * feed. Bytes 0x80–0x9F are not counted: they are printable characters in Windows-1252.
 */
export function looksBinary(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (const b of head) {
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) control++;
  }
  return control / head.length > MAX_CONTROL_SHARE;
}

export const DELIMITERS = [';', ',', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export type DelimiterGuess =
  | { kind: 'found'; delimiter: Delimiter }
  /** Some lines use one delimiter and others another: `line` is the first line that disagrees. */
  | { kind: 'mixed'; delimiter: Delimiter; other: Delimiter; line: number };

/**
 * Counts of each candidate delimiter outside quotes, one entry per record of `text`, with the
 * record's first line number. A quote opens a quoted field only at the start of a field (as
 * csv-parse reads it with `relax_quotes`), and `""` inside a quoted field is an escaped quote.
 * When `complete` is false the last record may be cut by the end of the head and is dropped.
 */
export function delimiterCounts(text: string, delimiter: string, complete: boolean): { line: number; count: number; blank: boolean }[] {
  const records: { line: number; count: number; blank: boolean }[] = [];
  let line = 1;
  let start = 1;
  let count = 0;
  let blank = true;
  let inQuotes = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      records.push({ line: start, count, blank });
      line++;
      start = line;
      count = 0;
      blank = true;
      atFieldStart = true;
      continue;
    }
    if (ch === delimiter) {
      count++;
      atFieldStart = true;
      continue;
    }
    if (ch === '"' && atFieldStart) inQuotes = true;
    if (ch.trim() !== '') blank = false;
    atFieldStart = false;
  }
  if (complete && (!blank || count > 0)) records.push({ line: start, count, blank });
  return records.filter((r) => !r.blank || r.count > 0);
}

/**
 * The delimiter of a CSV head, chosen among `;` `,` tab and `|`.
 *
 * The header line decides which candidates are possible (those it contains). Among them, the one
 * for which the most sampled records have exactly the header's count wins (ties: the higher count
 * in the header). A record "disagrees" when it has fewer of the chosen delimiter than the header
 * and more of another candidate than of the chosen one: that is a file whose lines were written
 * with different delimiters, which no delimiter can read correctly, so it is refused as `mixed`.
 * Ragged records (a few cells too few or too many, with the same delimiter) are not disagreement.
 * A header without any candidate is a one-column file: `;` is returned (any choice reads it).
 */
export function detectDelimiter(text: string, complete: boolean): DelimiterGuess {
  const table = DELIMITERS.map((d) => ({ d, records: delimiterCounts(text, d, complete).slice(0, SNIFF_RECORDS + 1) }));
  const headerCount = (d: Delimiter) => table.find((t) => t.d === d)?.records[0]?.count ?? 0;
  const possible = table.filter((t) => (t.records[0]?.count ?? 0) > 0);
  if (possible.length === 0) return { kind: 'found', delimiter: ';' };
  const scored = possible.map((t) => {
    const header = t.records[0]?.count ?? 0;
    return { d: t.d, header, agreeing: t.records.slice(1).filter((r) => r.count === header).length };
  });
  scored.sort((a, b) => b.agreeing - a.agreeing || b.header - a.header);
  const chosen = scored[0]!.d;
  const own = table.find((t) => t.d === chosen)!.records;
  for (let i = 1; i < own.length; i++) {
    const record = own[i]!;
    if (record.count >= headerCount(chosen)) continue;
    for (const other of table) {
      if (other.d === chosen) continue;
      // The same record, read for the other delimiter, starts on the same line.
      const same = other.records.find((r) => r.line === record.line);
      if (same && same.count > record.count) return { kind: 'mixed', delimiter: chosen, other: other.d, line: record.line };
    }
  }
  return { kind: 'found', delimiter: chosen };
}
