/**
 * Why a file cannot be read as a table. Codes only: the importer translates them with `params`.
 */

export const TABLE_ERROR_CODES = [
  /** No bytes, or nothing but whitespace and blank lines. */
  'empty',
  /** A header line and not one data row. Thrown by `openTable` itself (it reads ahead one row). */
  'header_only',
  /** NUL bytes or many control characters: an image, a PDF, a UTF-16 file… renamed `.csv`. */
  'binary',
  /** The old binary Excel format (`.xls`): save it as `.xlsx` or CSV. */
  'legacy_xls',
  /** Lines written with different delimiters. params: { line, delimiter, other } */
  'mixed_delimiters',
  /** params: { columns, max } */
  'too_many_columns',
  /** Two columns whose headers are the same once case, accents and spaces are ignored. params: { header, first, second } (1-based column numbers) */
  'duplicate_headers',
  /** A quoted field that is never closed (or a quote that breaks the file's structure). params: { line } */
  'malformed_quotes',
  /** One record larger than the limit, usually an unclosed quote swallowing the file. params: { line, maxChars } */
  'row_too_large',
  /** A ZIP that is not a readable workbook, or a workbook without a worksheet. params: { reason? } */
  'unreadable_xlsx',
] as const;
export type TableErrorCode = (typeof TABLE_ERROR_CODES)[number];

export type TableErrorParams = Record<string, string | number>;

export class TableError extends Error {
  readonly code: TableErrorCode;
  readonly params: TableErrorParams;

  constructor(code: TableErrorCode, params: TableErrorParams = {}) {
    // No params in the message: a header may be a person's name when a file has no header line.
    super(`table: ${code}`);
    this.name = 'TableError';
    this.code = code;
    this.params = params;
  }
}
