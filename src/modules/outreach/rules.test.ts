/**
 * The attempt rule as properties: whatever the programme's settings and whenever the caller acts,
 * a proposed slot keeps the rule, nothing beyond the maximum is accepted, days and parts of the
 * day stay distinct, and the Brussels clock is right on the days summer time starts and ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AttemptRule,
  addDays,
  attemptsLeft,
  brusselsTime,
  CALL_WINDOWS,
  checkAttempt,
  DEFAULT_RULE,
  type EarlierAttempt,
  exhausted,
  localDay,
  nextDue,
  partOfDay,
} from './rules.ts';
import { PARTS_OF_DAY } from './schema.ts';

const HOUR = 3_600_000;
const of = (at: Date): EarlierAttempt => ({ localDay: localDay(at), partOfDay: partOfDay(at) });
const brusselsHour = (at: Date) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Brussels', hour: '2-digit', hourCycle: 'h23' }).format(at)) % 24;

const rules = fc.record({ maxAttempts: fc.integer({ min: 1, max: 10 }), distinctDays: fc.boolean(), distinctParts: fc.boolean() });
/** Instants over several years, summer and winter time, at the second. */
const instants = fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2027, 11, 31) }).map((t) => new Date(Math.floor(t / 1000) * 1000));
/** Gaps between two actions of a caller: minutes to a few days. */
const gaps = fc.array(fc.integer({ min: 60_000, max: 4 * 24 * HOUR }), { minLength: 1, maxLength: 25 });

function holds(accepted: EarlierAttempt[], rule: AttemptRule) {
  expect(accepted.length).toBeLessThanOrEqual(rule.maxAttempts);
  if (rule.distinctDays) expect(new Set(accepted.map((a) => a.localDay)).size).toBe(accepted.length);
  if (rule.distinctParts) expect(new Set(accepted.map((a) => a.partOfDay)).size).toBe(accepted.length);
}

describe('parts of the day and days in Brussels', () => {
  it('splits the day at 12:00 and 18:00 Brussels time, in winter and in summer', () => {
    expect(partOfDay(new Date('2024-01-15T10:59:59Z'))).toBe('morning'); // 11:59 CET
    expect(partOfDay(new Date('2024-01-15T11:00:00Z'))).toBe('afternoon'); // 12:00 CET
    expect(partOfDay(new Date('2024-01-15T16:59:59Z'))).toBe('afternoon');
    expect(partOfDay(new Date('2024-01-15T17:00:00Z'))).toBe('evening'); // 18:00 CET
    expect(partOfDay(new Date('2024-07-15T09:59:59Z'))).toBe('morning'); // 11:59 CEST
    expect(partOfDay(new Date('2024-07-15T10:00:00Z'))).toBe('afternoon');
    expect(partOfDay(new Date('2024-07-15T16:00:00Z'))).toBe('evening');
    expect(localDay(new Date('2024-12-31T23:30:00Z'))).toBe('2025-01-01');
    expect(localDay(new Date('2024-07-31T22:30:00Z'))).toBe('2024-08-01');
  });

  it('agrees with the Brussels clock for any instant', () => {
    fc.assert(
      fc.property(instants, (at) => {
        const h = brusselsHour(at);
        expect(partOfDay(at)).toBe(h < 12 ? 'morning' : h < 18 ? 'afternoon' : 'evening');
        expect(localDay(at)).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels' }).format(at));
      }),
      { numRuns: 500 },
    );
  });

  it('places a wall-clock hour right on the days summer time starts and ends', () => {
    // 31/03/2024: 02:00 → 03:00 (UTC+1 → UTC+2); 27/10/2024: 03:00 → 02:00 (UTC+2 → UTC+1).
    expect(brusselsTime('2024-03-31', 1).toISOString()).toBe('2024-03-31T00:00:00.000Z');
    expect(brusselsTime('2024-03-31', 9).toISOString()).toBe('2024-03-31T07:00:00.000Z');
    expect(brusselsTime('2024-03-31', 18).toISOString()).toBe('2024-03-31T16:00:00.000Z');
    expect(brusselsTime('2024-10-27', 9).toISOString()).toBe('2024-10-27T08:00:00.000Z');
    expect(brusselsTime('2024-10-27', 12).toISOString()).toBe('2024-10-27T11:00:00.000Z');
    expect(brusselsTime('2024-10-26', 12).toISOString()).toBe('2024-10-26T10:00:00.000Z');
    const dstDays = fc.constantFrom('2023-03-26', '2023-10-29', '2024-03-31', '2024-10-27', '2025-03-30', '2025-10-26', '2026-03-29', '2026-10-25');
    fc.assert(
      fc.property(dstDays, fc.constantFrom(0, 1, 4, 5, 9, 11, 12, 17, 18, 20, 21, 23), (day, hour) => {
        const t = brusselsTime(day, hour);
        expect(brusselsHour(t)).toBe(hour);
        expect(localDay(t)).toBe(day);
      }),
    );
  });

  it('counts calendar days across months, years and summer time', () => {
    expect(addDays('2024-03-30', 1)).toBe('2024-03-31');
    expect(addDays('2024-03-31', 1)).toBe('2024-04-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});

describe('the attempt rule', () => {
  it('refuses a second attempt on the same day, or in the same part of the day, or beyond the maximum', () => {
    const monMorning = new Date('2025-03-03T08:30:00Z'); // Monday 09:30
    const earlier = [of(monMorning)];
    expect(checkAttempt([], monMorning)).toEqual({ ok: true });
    expect(checkAttempt(earlier, new Date('2025-03-03T14:00:00Z'))).toEqual({ ok: false, reason: 'same_day' });
    expect(checkAttempt(earlier, new Date('2025-03-04T08:00:00Z'))).toEqual({ ok: false, reason: 'same_part_of_day' });
    expect(checkAttempt(earlier, new Date('2025-03-04T12:00:00Z'))).toEqual({ ok: true });
    const three = [of(monMorning), of(new Date('2025-03-04T12:00:00Z')), of(new Date('2025-03-05T18:00:00Z'))];
    expect(checkAttempt(three, new Date('2025-03-09T12:00:00Z'))).toEqual({ ok: false, reason: 'max_attempts' });
    expect(checkAttempt([of(monMorning)], new Date('2025-03-03T09:00:00Z'), { maxAttempts: 5, distinctDays: false, distinctParts: false })).toEqual({
      ok: true,
    });
  });

  it('proposes, after a Monday-morning attempt, Tuesday 12:00 in the afternoon', () => {
    const monMorning = new Date('2025-03-03T08:30:00Z');
    const p = nextDue([of(monMorning)], DEFAULT_RULE, new Date('2025-03-03T08:35:00Z'));
    expect(p).toEqual({ at: new Date('2025-03-04T11:00:00Z'), partOfDay: 'afternoon' });
    // Then Wednesday evening; then nothing.
    const tue = p?.at as Date;
    const q = nextDue([of(monMorning), of(tue)], DEFAULT_RULE, new Date(tue.getTime() + 60_000));
    expect(q).toEqual({ at: new Date('2025-03-05T17:00:00Z'), partOfDay: 'evening' });
    expect(nextDue([of(monMorning), of(tue), of(q?.at as Date)], DEFAULT_RULE, new Date('2025-03-05T17:05:00Z'))).toBeNull();
  });

  it('proposes a safe part of the day first, and another part only when none is left', () => {
    const monMorning = new Date('2025-03-03T08:30:00Z');
    const p = nextDue([of(monMorning)], DEFAULT_RULE, new Date('2025-03-03T08:35:00Z'), { safeParts: ['evening'] });
    expect(p).toEqual({ at: new Date('2025-03-04T17:00:00Z'), partOfDay: 'evening' });
    const monEvening = new Date('2025-03-03T17:30:00Z');
    const q = nextDue([of(monEvening)], DEFAULT_RULE, new Date('2025-03-03T17:35:00Z'), { safeParts: ['evening'] });
    expect(q).toEqual({ at: new Date('2025-03-04T08:00:00Z'), partOfDay: 'morning' });
  });

  it('is due at once for a new contact inside the calling hours, and at 09:00 when asked at night', () => {
    const tueAfternoon = new Date('2025-03-04T13:10:00Z');
    expect(nextDue([], DEFAULT_RULE, tueAfternoon)).toEqual({ at: tueAfternoon, partOfDay: 'afternoon' });
    expect(nextDue([], DEFAULT_RULE, new Date('2025-03-04T22:00:00Z'))).toEqual({ at: new Date('2025-03-05T08:00:00Z'), partOfDay: 'morning' });
  });

  it('a proposed slot always keeps the rule, is never before now, and nothing earlier would have', () => {
    fc.assert(
      fc.property(rules, instants, gaps, fc.subarray([...PARTS_OF_DAY]), (rule, start, steps, safeParts) => {
        const earlier: EarlierAttempt[] = [];
        let now = start;
        for (const gap of steps) {
          const p = nextDue(earlier, rule, now, { safeParts });
          if (!p) {
            expect(exhausted(earlier, rule)).toBe(true);
            expect(attemptsLeft(earlier, rule)).toBe(0);
            break;
          }
          expect(p.at.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(partOfDay(p.at)).toBe(p.partOfDay);
          expect(checkAttempt(earlier, p.at, rule)).toEqual({ ok: true });
          const [from, to] = CALL_WINDOWS[p.partOfDay];
          const h = brusselsHour(p.at);
          expect(h >= from && h < to).toBe(true);
          // No allowed moment inside a calling window between now and the proposal (safe parts aside).
          if (!safeParts.length) {
            for (let t = now.getTime(); t < p.at.getTime(); t += 20 * 60_000) {
              const at = new Date(t);
              const [f, e] = CALL_WINDOWS[partOfDay(at)];
              if (brusselsHour(at) >= f && brusselsHour(at) < e) expect(checkAttempt(earlier, at, rule).ok).toBe(false);
            }
          }
          // The caller calls at the proposed moment, or a little later within the same part.
          const late = Math.min(p.at.getTime() + (gap % HOUR), brusselsTime(localDay(p.at), to).getTime() - 1000);
          const at = new Date(late);
          if (checkAttempt(earlier, at, rule).ok) earlier.push(of(at));
          holds(earlier, rule);
          now = new Date(at.getTime() + gap);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every sequence it accepts keeps the maximum and distinct days and parts', () => {
    fc.assert(
      fc.property(rules, instants, gaps, (rule, start, steps) => {
        const accepted: EarlierAttempt[] = [];
        let t = start.getTime();
        for (const gap of steps) {
          t += gap;
          const at = new Date(t);
          const check = checkAttempt(accepted, at, rule);
          if (check.ok) accepted.push(of(at));
          else if (check.reason === 'max_attempts') expect(accepted.length).toBe(rule.maxAttempts);
          holds(accepted, rule);
        }
        expect(attemptsLeft(accepted, rule)).toBeLessThanOrEqual(rule.maxAttempts - accepted.length);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps days and parts distinct across the summer-time changes', () => {
    const around = (iso: string) => fc.integer({ min: -3 * 24, max: 3 * 24 }).map((h) => new Date(new Date(iso).getTime() + h * HOUR + 17 * 60_000));
    fc.assert(
      fc.property(fc.array(fc.oneof(around('2024-03-31T01:00:00Z'), around('2024-10-27T01:00:00Z')), { maxLength: 12 }), (times) => {
        const accepted: EarlierAttempt[] = [];
        for (const at of times.sort((a, b) => a.getTime() - b.getTime())) if (checkAttempt(accepted, at).ok) accepted.push(of(at));
        holds(accepted, DEFAULT_RULE);
        const p = nextDue(accepted, DEFAULT_RULE, times.at(-1) ?? new Date('2024-03-30T12:00:00Z'));
        if (p) expect(checkAttempt(accepted, p.at).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
