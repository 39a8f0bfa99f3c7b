/**
 * Small text helpers shared by the parsing files.
 */

import type { WarningCode } from '../fields.ts';

/**
 * The comparison key of a header or a coded value: lower case, accents and ligatures removed,
 * everything but letters and digits dropped. `Date d'enregistrement`, `DATE D ENREGISTREMENT` and
 * `date-d’enregistrement` share one key, as do `Frère-sœur` and `frere soeur`.
 */
export function foldKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Trim and collapse runs of whitespace (including no-break spaces) to one space; NFC. */
export function collapseSpaces(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** True when a cell holds nothing but whitespace. */
export function isBlank(value: string): boolean {
  return value.trim() === '';
}

/** What every field normaliser returns: a clean value, or a reason it was left empty, or neither (empty input). */
export interface Normalised<T> {
  value?: T;
  warning?: WarningCode;
}

/**
 * Looks a coded value up by its folded key: `Ouderenmis(be)handeling`, `OUDERENMISBEHANDELING`
 * and `ouderen-mis(be)handeling` are one key.
 */
export function lookupCode<T>(table: ReadonlyMap<string, T>, raw: string): T | undefined {
  return table.get(foldKey(raw));
}

/** A map from the folded spellings of each value to the value; a spelling claimed twice is a bug. */
export function codeTable<T extends string>(spellings: Record<T, readonly string[]>): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const [value, list] of Object.entries(spellings) as [T, readonly string[]][]) {
    for (const spelling of list) {
      const key = foldKey(spelling);
      const known = map.get(key);
      if (known !== undefined && known !== value) throw new Error(`spelling "${spelling}" claimed by ${known} and ${value}`);
      map.set(key, value);
    }
  }
  return map;
}

/** C0 control characters other than tab and line feed, and DEL: never meaningful in a cell. */
export function withoutControls(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}
