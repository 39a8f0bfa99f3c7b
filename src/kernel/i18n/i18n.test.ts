import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issuesToFieldErrors } from '../../server/validation.ts';
import { problems } from '../http/problem.ts';
import { CATALOGUE_DIR, loadCatalogues, translate } from './i18n.ts';
import { DEFAULT_LOCALE, formatDate, formatDateTime, isLocale, LOCALES, negotiateLocale } from './locales.ts';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resources = loadCatalogues();

/** `a.b.c` → value, for every leaf of a catalogue. */
function leaves(obj: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (obj === null || typeof obj !== 'object') {
    out.set(prefix, String(obj));
    return out;
  }
  for (const [k, v] of Object.entries(obj)) for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}

function lookup(locale: string, key: string): unknown {
  const [ns, rest] = key.split(':') as [string, string];
  return rest.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), resources[locale]?.[ns]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'web' || name === 'i18n' ? [] : sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every `errors:` key the server can put in an answer, found in its source. */
function emittedErrorKeys(): string[] {
  const problemCodes = new Set<string>();
  const fieldCodes = new Set<string>();
  const keys = new Set<string>();
  // Every factory of the kernel's problem list.
  const args: Record<string, unknown[]> = { validation: [[]], invalidField: ['field', 'invalid'], tooManyAttempts: [60] };
  for (const [name, make] of Object.entries(problems) as Array<[string, (...a: unknown[]) => { code: string; fieldErrors: { key: string }[] }]>) {
    const p = make(...(args[name] ?? []));
    problemCodes.add(p.code);
    for (const f of p.fieldErrors) if (!f.key.includes('${')) keys.add(f.key);
  }
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new Problem\(\s*[^,]+,\s*'([a-z_]+)'/g)) problemCodes.add(m[1] as string);
    for (const m of text.matchAll(/problems\.conflict\(\s*'([a-z_]+)'/g)) problemCodes.add(m[1] as string);
    // errors.ts maps Fastify's own errors: [status, 'code'].
    for (const m of text.matchAll(/\[\s*\d{3},\s*'([a-z_]+)'\s*\]/g)) problemCodes.add(m[1] as string);
    // problems.invalidField(field, 'code'): every literal after the field argument.
    for (const m of text.matchAll(/problems\.invalidField\(([^;]*?)\)[;\n]/g)) {
      const rest = (m[1] as string).replace(/^[^,]+,/, '').replace(/[!=]==\s*'[^']*'/g, '');
      for (const lit of rest.matchAll(/'([a-z_]+)'/g)) fieldCodes.add(lit[1] as string);
    }
    // Zod refinements name their field code in `message`.
    for (const m of text.matchAll(/message: '([a-z_]+)'/g)) fieldCodes.add(m[1] as string);
    for (const m of text.matchAll(/'(errors:[a-z_.]+)'/g)) keys.add(m[1] as string);
  }
  // What the validation layer makes of Zod's own issues, from real failing schemas.
  const failing: Array<[z.ZodType, unknown]> = [
    [z.strictObject({ a: z.string() }), {}],
    [z.strictObject({ a: z.string() }), { a: 'x', b: 1 }],
    [z.string().min(3), 'x'],
    [z.string().max(1), 'xx'],
    [z.number().min(3), 1],
    [z.number().max(1), 2],
    [z.array(z.number()).min(2), [1]],
    [z.array(z.number()).max(1), [1, 2]],
    [z.email(), 'x'],
    [z.uuid(), 'x'],
    [z.iso.date(), 'x'],
    [z.url(), 'x'],
    [z.string().regex(/^a$/), 'b'],
    [z.enum(['a', 'b']), 'c'],
    [z.literal('a'), 'b'],
    [z.number(), 'x'],
    [z.string().refine(() => false, { message: 'Not A Code' }), 'x'],
  ];
  for (const [schema, value] of failing) {
    const r = schema.safeParse(value);
    expect(r.success).toBe(false);
    if (!r.success) for (const f of issuesToFieldErrors(r.error.issues, 'body')) keys.add(f.key);
  }
  for (const code of problemCodes) keys.add(`errors:${code}.title`).add(`errors:${code}.detail`);
  for (const code of fieldCodes) keys.add(`errors:field.${code}`);
  return [...keys].sort();
}

describe('catalogues', () => {
  const namespaces = readdirSync(path.join(CATALOGUE_DIR, 'en')).filter((f) => f.endsWith('.json'));

  it('exist for every locale and namespace', () => {
    expect(namespaces).toContain('errors.json');
    for (const locale of LOCALES)
      expect(
        readdirSync(path.join(CATALOGUE_DIR, locale))
          .filter((f) => f.endsWith('.json'))
          .sort(),
      ).toEqual([...namespaces].sort());
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly the keys of en, with the same placeholders', (locale) => {
    for (const ns of namespaces.map((f) => f.replace(/\.json$/, ''))) {
      const en = leaves(resources.en?.[ns]);
      const other = leaves(resources[locale]?.[ns]);
      expect([...other.keys()].sort(), `${locale}/${ns}.json`).toEqual([...en.keys()].sort());
      for (const [key, text] of en) {
        const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([a-zA-Z0-9_]+)/g)].map((m) => m[1]).sort();
        expect(placeholders(other.get(key) ?? ''), `${locale}/${ns}.json ${key}`).toEqual(placeholders(text));
        expect((other.get(key) ?? '').trim(), `${locale}/${ns}.json ${key} is empty`).not.toBe('');
      }
    }
  });

  it('translate every error the server can emit, in every locale', () => {
    const keys = emittedErrorKeys();
    // A sanity floor: the scan found the problems and field codes it should.
    for (const k of [
      'errors:too_many_attempts.detail',
      'errors:last_administrator.title',
      'errors:field.password_common',
      'errors:field.too_small_string',
      'errors:unsupported_media_type.title',
    ]) {
      expect(keys).toContain(k);
    }
    const missing = LOCALES.flatMap((locale) => keys.filter((k) => typeof lookup(locale, k) !== 'string').map((k) => `${locale} ${k}`));
    expect(missing).toEqual([]);
  });

  it('interpolate parameters', () => {
    expect(translate('nl', 'errors:too_many_attempts.detail', { minutes: 15 })).toContain('15');
    expect(translate('fr', 'errors:field.too_small_string', { limit: 12 })).toContain('12');
    expect(translate('de', 'errors:field.too_big_string', { limit: 128 })).toContain('128');
  });
});

describe('negotiateLocale', () => {
  it.each([
    ['nl-BE,nl;q=0.9,en;q=0.8', 'nl'],
    ['fr-BE,fr;q=0.9', 'fr'],
    ['de-DE', 'de'],
    ['EN-gb', 'en'],
    ['es-ES,fr;q=0.4,nl;q=0.3', 'fr'],
    ['de;q=0.5, en;q=0.9', 'en'],
    ['nl;q=0.1, fr', 'fr'],
    ['es, it', DEFAULT_LOCALE],
    ['*', DEFAULT_LOCALE],
    ['', DEFAULT_LOCALE],
    [undefined, DEFAULT_LOCALE],
  ])('%s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });

  it('never picks a language the client refused with q=0', () => {
    expect(negotiateLocale('nl;q=0, es')).toBe(DEFAULT_LOCALE);
    expect(negotiateLocale('fr;q=0.0, de;q=0.2')).toBe('de');
    expect(negotiateLocale('nl;q=0')).toBe(DEFAULT_LOCALE);
  });

  it('never throws and always answers a supported locale, whatever the header', () => {
    const tag = fc.oneof(fc.constantFrom('nl', 'fr', 'en', 'de', 'NL-be', 'fr-CA', 'es', '*', '', 'x-klingon'), fc.string({ maxLength: 12 }));
    const part = fc
      .tuple(tag, fc.option(fc.oneof(fc.double({ noNaN: false }).map(String), fc.string({ maxLength: 5 }))))
      .map(([t, q]) => (q === null ? t : `${t};q=${q}`));
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(part, { maxLength: 8 }).map((parts) => parts.join(', ')),
    );
    fc.assert(
      fc.property(header, (h) => {
        const locale = negotiateLocale(h);
        return isLocale(locale);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('dates', () => {
  it('are shown as 31/12/2024, in Europe/Brussels', () => {
    expect(formatDate('2024-12-31T12:00:00Z')).toBe('31/12/2024');
    expect(formatDate(new Date('2024-12-31T22:59:59Z'))).toBe('31/12/2024');
    // 23:30 UTC on New Year's Eve is already 2025 in Brussels (UTC+1).
    expect(formatDate('2024-12-31T23:30:00Z')).toBe('01/01/2025');
    expect(formatDate('2024-12-31')).toBe('31/12/2024');
    expect(formatDate('2024-01-05T10:00:00Z')).toBe('05/01/2024');
  });

  it('follow summer time: UTC+2 from the last Sunday of March to the last Sunday of October', () => {
    // Spring forward on 31/03/2024 at 01:00 UTC (02:00 → 03:00).
    expect(formatDateTime('2024-03-31T00:59:00Z')).toBe('31/03/2024 01:59');
    expect(formatDateTime('2024-03-31T01:00:00Z')).toBe('31/03/2024 03:00');
    expect(formatDate('2024-03-30T23:30:00Z')).toBe('31/03/2024');
    // Summer: 22:30 UTC is already the next day.
    expect(formatDate('2024-07-14T22:30:00Z')).toBe('15/07/2024');
    expect(formatDate('2024-10-26T22:30:00Z')).toBe('27/10/2024');
    // Fall back on 27/10/2024 at 01:00 UTC (03:00 → 02:00): 02:30 happens twice.
    expect(formatDateTime('2024-10-27T00:30:00Z')).toBe('27/10/2024 02:30');
    expect(formatDateTime('2024-10-27T01:30:00Z')).toBe('27/10/2024 02:30');
    // Winter again: 22:30 UTC is still the same day.
    expect(formatDate('2024-10-27T22:30:00Z')).toBe('27/10/2024');
  });

  it('show midnight as 00:00, never 24:00', () => {
    expect(formatDateTime('2024-12-30T23:05:00Z')).toBe('31/12/2024 00:05');
    expect(formatDateTime('2024-06-30T22:00:00Z')).toBe('01/07/2024 00:00');
  });

  it('always have the shape DD/MM/YYYY HH:MM', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const text = formatDateTime(d);
        if (!/^\d{2}\/\d{2}\/\d{4} (?:[01]\d|2[0-3]):[0-5]\d$/.test(text)) return false;
        const [day, month, year] = text.slice(0, 10).split('/').map(Number) as [number, number, number];
        // Brussels is one or two hours ahead of UTC.
        const utc = Date.UTC(year, month - 1, day);
        return d.getTime() - utc > -3 * 3_600_000 && d.getTime() - utc < 24 * 3_600_000;
      }),
    );
  });
});
