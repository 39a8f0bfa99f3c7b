/**
 * Test helpers for the parsing files (imported by tests only).
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Table, TableError, type TableRow } from './table.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/police');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

/** The bytes as a stream of chunks of `size` bytes (a cut can fall anywhere, as on a network). */
export async function* chunked(bytes: Uint8Array, size = 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

export async function readRows(table: Table): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const row of table.rows) rows.push(row);
  return rows;
}

/** The TableError a promise rejects with (fails the test when it resolves or throws something else). */
export async function tableError(work: Promise<unknown>): Promise<TableError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TableError) return error;
    throw error;
  }
  throw new Error('expected a TableError');
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Windows-1252 bytes of a string made of characters that encoding has. */
export function windows1252(s: string): Uint8Array {
  const table = new Map<string, number>();
  const decoder = new TextDecoder('windows-1252');
  for (let b = 0; b < 256; b++) table.set(decoder.decode(Uint8Array.of(b)), b);
  return Uint8Array.from(
    [...s].map((c) => {
      const b = table.get(c);
      if (b === undefined) throw new Error(`not in Windows-1252: ${c}`);
      return b;
    }),
  );
}
