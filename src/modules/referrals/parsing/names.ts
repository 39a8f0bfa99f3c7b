/**
 * Person names: trimmed, inner spaces collapsed, and consistently cased when the export shouted
 * them (`  EL AMRANI ` → `El Amrani`) or whispered them (`jean-luc` → `Jean-Luc`). A name that
 * already mixes upper and lower case is kept as written: `McAllister`, `van Gompel` and `DeSmet`
 * are someone's deliberate spelling, which no rule could restore. Diacritics are kept.
 */

import { collapseSpaces, type Normalised, withoutControls } from './text.ts';

/**
 * Name particles written in lower case inside a recased surname (`VAN DEN BROECK` →
 * `Van den Broeck`): the first word of a Belgian surname is capitalised, the particles after it
 * are not. A particle that ends the name is not lowered (`Du` alone stays `Du`).
 */
const PARTICLES = new Set([
  'van',
  'von',
  'vom',
  'de',
  'den',
  'der',
  'des',
  'du',
  'het',
  "'t",
  'ter',
  'ten',
  'te',
  'op',
  'in',
  'la',
  'le',
  'les',
  'di',
  'da',
  'del',
  'della',
  'dos',
  'das',
  'zu',
  'zum',
  'zur',
]);

export function normaliseName(raw: string, kind: 'first' | 'last' = 'first'): Normalised<string> {
  const text = collapseSpaces(withoutControls(raw));
  if (text === '') return {};
  const letters = text.replace(/[^\p{L}]/gu, '');
  const hasUpper = letters !== letters.toLowerCase();
  const hasLower = letters !== letters.toUpperCase();
  if (hasUpper && hasLower) return { value: text };
  const words = text.toLowerCase().split(' ');
  const cased = words.map((word, i) => (kind === 'last' && i > 0 && i < words.length - 1 && PARTICLES.has(word) ? word : capitalise(word)));
  return { value: cased.join(' ').normalize('NFC') };
}

/** Upper-cases the first letter and every letter after a hyphen or apostrophe: `o'brien` → `O'Brien`, `jean-luc` → `Jean-Luc`. */
function capitalise(word: string): string {
  return word.replace(/(^|[-'’])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}
