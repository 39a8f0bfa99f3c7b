/**
 * Dates as Belgian police exports write them: 13/03/2024, 5/6/2023, 2023-06-08, 05.06.2023,
 * 13-03-2024, sometimes with a time (`13/03/2024 00:00:00`). Day before month, always: Belgium
 * never writes month first. Two-digit years are refused rather than guessed (is 03/04/25 a birth
 * in 1925 or 2025?).
 */

import type { Normalised } from './text.ts';

/** The earliest date accepted in any date field. */
export const MIN_DATE = '1900-01-01';

const DAY_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const YEAR_FIRST = /^(\d{4})([/.-])(\d{1,2})\2(\d{1,2})$/;
/** A time after the date, as spreadsheets add it: ` 00:00`, ` 00:00:00`, `T00:00:00.000Z`. */
const TIME = /(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `yyyy-mm-dd`, or `date_impossible` for a date that does not exist (31/02/2024, month 13) or is
 * out of range (before 1900, or after `today`: no birth, fact or registration is in the future),
 * or `date_unreadable` for anything else, two-digit years included.
 */
export function normaliseDate(raw: string, opts: { today: string }): Normalised<string> {
  const text = raw.trim().replace(TIME, '');
  if (text === '') return {};
  let y: number;
  let m: number;
  let d: number;
  const dayFirst = DAY_FIRST.exec(text);
  const yearFirst = dayFirst ? null : YEAR_FIRST.exec(text);
  if (dayFirst) [d, m, y] = [Number(dayFirst[1]), Number(dayFirst[3]), Number(dayFirst[4])];
  else if (yearFirst) [y, m, d] = [Number(yearFirst[1]), Number(yearFirst[3]), Number(yearFirst[4])];
  else return { warning: 'date_unreadable' };
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return { warning: 'date_impossible' };
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (iso < MIN_DATE || iso > opts.today) return { warning: 'date_impossible' };
  return { value: iso };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a real `yyyy-mm-dd` calendar date. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(m[1]), month);
}
