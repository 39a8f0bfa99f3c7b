/** Browser-safe: the languages Haven speaks and how dates are shown. */
export const LOCALES = ['nl', 'fr', 'en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const TIME_ZONE = 'Europe/Brussels';

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Picks the best of our locales from an Accept-Language header. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  // q=0 means "not this one" (RFC 9110 §12.4.2).
  for (const r of ranked) if (r.q > 0 && isLocale(r.lang)) return r.lang;
  return DEFAULT_LOCALE;
}

const dateFmt = new Intl.DateTimeFormat('nl-BE', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('nl-BE', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false });

/** 31/12/2024, in Europe/Brussels, whatever the language. */
export function formatDate(d: Date | string): string {
  const parts = dateFmt.formatToParts(typeof d === 'string' ? new Date(d) : d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')}`;
}

/** 31/12/2024 14:05, in Europe/Brussels. */
export function formatDateTime(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  const parts = timeFmt.formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${formatDate(date)} ${get('hour')}:${get('minute')}`;
}
