/**
 * Phone numbers → E.164, with Belgium as the default region, through libphonenumber-js and its
 * full ("max") metadata, which checks the real number ranges rather than only lengths.
 * Handles every spelling the exports use: `0470 12 34 56`, `0470/592 817`, `+32 482/75.77.13`,
 * `0032494650708`, `486251262` (a leading 0 lost by a spreadsheet), landlines `011/285.205`,
 * and foreign numbers with their country code.
 */

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Normalised } from './text.ts';

/** Longer than any phone number with spaces and an extension: not worth parsing. */
const MAX_LENGTH = 64;

/**
 * The number in E.164 (`+32470123456`), or `phone_unusable` for anything that is not a valid
 * number (`onbekend`, `0495 26 42` with a digit missing, a number with a digit too many).
 * An extension is dropped: E.164 has none, and outreach calls the main number.
 */
export function normalisePhone(raw: string): Normalised<string> {
  const text = raw.trim();
  if (text === '') return {};
  if (text.length > MAX_LENGTH || !/\d/.test(text)) return { warning: 'phone_unusable' };
  // `+32 (0)470…` and `0032 0470…`: the trunk 0 written after the country code.
  const cleaned = text.replace(/^(\+|00)\s*32[\s./-]*\(?0\)?/, '+32');
  try {
    const number = parsePhoneNumberFromString(cleaned, 'BE');
    if (number?.isValid()) return { value: number.number };
  } catch {
    // The library returns undefined for what it cannot read; never let an odd string escape.
  }
  return { warning: 'phone_unusable' };
}
