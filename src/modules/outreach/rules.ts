/**
 * The attempt rule of a programme, in Europe/Brussels time: how many phone attempts a contact may
 * get, and whether each must fall on a different day and a different part of the day (morning
 * before 12:00, afternoon 12:00–17:59, evening from 18:00) than the earlier ones. Pure functions:
 * the routes pass the earlier phone attempts of a contact and the programme's settings.
 *
 * `nextDue` proposes the earliest moment a next attempt is allowed, inside the calling hours of a
 * part of the day (CALL_WINDOWS): a proposal is never at night, although the rule itself only
 * compares days and parts.
 */
import { PARTS_OF_DAY, type PartOfDay } from './schema.ts';

export interface AttemptRule {
  maxAttempts: number;
  distinctDays: boolean;
  distinctParts: boolean;
}

/** The seeds' practice, used when a programme has no outreach_settings row. */
export const DEFAULT_RULE: AttemptRule = { maxAttempts: 3, distinctDays: true, distinctParts: true };

/** An earlier phone attempt, as the attempts table keeps it. */
export interface EarlierAttempt {
  /** yyyy-mm-dd in Europe/Brussels */
  localDay: string;
  partOfDay: PartOfDay;
}

export type AttemptRefusal = 'same_day' | 'same_part_of_day' | 'max_attempts';
export type AttemptCheck = { ok: true } | { ok: false; reason: AttemptRefusal };

/** Hours (Brussels) in which a part of the day is proposed for a call: [start, end). */
export const CALL_WINDOWS: Record<PartOfDay, readonly [number, number]> = {
  morning: [9, 12],
  afternoon: [12, 18],
  evening: [18, 21],
};

const ZONE = 'Europe/Brussels';
const clock = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in Brussels of an instant. */
function wall(at: Date): Wall {
  const p: Record<string, number> = {};
  for (const part of clock.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, hour: (p.hour ?? 0) % 24, minute: p.minute ?? 0, second: p.second ?? 0 };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The day in Brussels of an instant, as yyyy-mm-dd. */
export function localDay(at: Date): string {
  const w = wall(at);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** The part of the day in Brussels: morning before 12:00, afternoon until 17:59, evening from 18:00. */
export function partOfDay(at: Date): PartOfDay {
  const h = wall(at).hour;
  return h < 12 ? 'morning' : h < 18 ? 'afternoon' : 'evening';
}

/** Brussels' offset from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function offsetMs(at: Date): number {
  const w = wall(at);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a wall-clock hour on a Brussels day (hours used here never fall in the DST gap). */
export function brusselsTime(day: string, hour: number): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, hour);
  let t = guess - offsetMs(new Date(guess));
  const again = guess - offsetMs(new Date(t));
  if (again !== t) t = again;
  return new Date(t);
}

/** yyyy-mm-dd plus n calendar days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/**
 * True when no further phone attempt can ever be allowed: the maximum is reached, or every part of
 * the day has been used while parts must differ.
 */
export function exhausted(earlier: readonly EarlierAttempt[], rule: AttemptRule = DEFAULT_RULE): boolean {
  if (earlier.length >= rule.maxAttempts) return true;
  return rule.distinctParts && new Set(earlier.map((e) => e.partOfDay)).size >= PARTS_OF_DAY.length;
}

/** Whether a phone attempt at `now` keeps the rule, given the contact's earlier phone attempts. */
export function checkAttempt(earlier: readonly EarlierAttempt[], now: Date, rule: AttemptRule = DEFAULT_RULE): AttemptCheck {
  if (earlier.length >= rule.maxAttempts) return { ok: false, reason: 'max_attempts' };
  if (rule.distinctDays) {
    const day = localDay(now);
    if (earlier.some((e) => e.localDay === day)) return { ok: false, reason: 'same_day' };
  }
  if (rule.distinctParts) {
    const part = partOfDay(now);
    if (earlier.some((e) => e.partOfDay === part)) return { ok: false, reason: 'same_part_of_day' };
  }
  return { ok: true };
}

export interface Proposal {
  /** The earliest moment (≥ now) the next phone attempt is allowed, inside a calling window. */
  at: Date;
  /** The part of the day proposed. */
  partOfDay: PartOfDay;
}

/**
 * The earliest moment from `now` on when the next phone attempt keeps the rule, at the start of a
 * calling window of a part of the day not yet used (or at `now` when it is inside one). With
 * `safeParts` (from the contact's safety information), those parts are proposed first; another
 * part only when none of them can still be used. Null when no further attempt is allowed.
 */
export function nextDue(earlier: readonly EarlierAttempt[], rule: AttemptRule, now: Date, opts: { safeParts?: readonly PartOfDay[] } = {}): Proposal | null {
  if (exhausted(earlier, rule)) return null;
  const usedDays = new Set(earlier.map((e) => e.localDay));
  const usedParts = new Set(earlier.map((e) => e.partOfDay));
  const safe = opts.safeParts?.length ? PARTS_OF_DAY.filter((p) => opts.safeParts?.includes(p)) : [...PARTS_OF_DAY];
  const passes = safe.length === PARTS_OF_DAY.length ? [safe] : [safe, [...PARTS_OF_DAY]];
  const today = localDay(now);
  // Days already used can only be before or on today (an attempt is never in the future), so a
  // free day is found within usedDays.size + 2 days.
  const horizon = usedDays.size + 2;
  for (const parts of passes) {
    for (let offset = 0; offset <= horizon; offset++) {
      const day = addDays(today, offset);
      if (rule.distinctDays && usedDays.has(day)) continue;
      for (const part of parts) {
        if (rule.distinctParts && usedParts.has(part)) continue;
        const [from, to] = CALL_WINDOWS[part];
        const start = brusselsTime(day, from);
        const end = brusselsTime(day, to);
        const at = start.getTime() > now.getTime() ? start : now;
        if (at.getTime() >= end.getTime()) continue;
        return { at, partOfDay: part };
      }
    }
  }
  return null;
}

/** Phone attempts still allowed under the rule (0 when exhausted). */
export function attemptsLeft(earlier: readonly EarlierAttempt[], rule: AttemptRule): number {
  if (exhausted(earlier, rule)) return 0;
  const byCount = rule.maxAttempts - earlier.length;
  if (!rule.distinctParts) return byCount;
  return Math.min(byCount, PARTS_OF_DAY.length - new Set(earlier.map((e) => e.partOfDay)).size);
}
