/**
 * The language of what `haven …` prints for a person to read: `--lang`, else `HAVEN_LANG`, else
 * the POSIX locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `nl_BE.UTF-8` is nl) when it is one of
 * Haven's, else English. The words are in the `cli` catalogue (src/i18n/<locale>/cli.json);
 * `--json` output is for machines and is never translated.
 */
import { translate } from '../kernel/i18n/i18n.ts';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from '../kernel/i18n/locales.ts';

/** Where the language came from when it is not one of Haven's: named in the refusal. */
export type LangSource = '--lang' | 'HAVEN_LANG';

export interface ResolvedLocale {
  locale: Locale;
  /** A `--lang` or `HAVEN_LANG` that is not one of Haven's languages; `locale` is then the next choice. */
  unknown?: { value: string; source: LangSource };
}

/** `nl_BE.UTF-8`, `fr_BE@euro`, `de-DE`, `en` → its language when Haven speaks it. `C` and `POSIX` → none. */
export function localeOfPosix(value: string | undefined): Locale | undefined {
  const language = /^([a-zA-Z]{2,3})(?:[_.@-]|$)/.exec(value?.trim() ?? '')?.[1]?.toLowerCase();
  return isLocale(language) ? language : undefined;
}

/**
 * The language of the messages. `flag` is the `--lang` given on the command line, if any. A flag
 * or HAVEN_LANG that names no language of Haven's is reported as `unknown` (the command refuses
 * it), with `locale` the language the refusal is written in.
 */
export function resolveLocale(flag: string | undefined, env: NodeJS.ProcessEnv): ResolvedLocale {
  const posix = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v?.trim());
  const fromPosix = localeOfPosix(posix) ?? DEFAULT_LOCALE;
  const fromEnv = env.HAVEN_LANG?.trim();
  let fallback = fromPosix;
  let unknown: ResolvedLocale['unknown'];
  if (fromEnv) {
    if (isLocale(fromEnv)) fallback = fromEnv;
    else unknown = { value: fromEnv, source: 'HAVEN_LANG' };
  }
  if (flag !== undefined) {
    const value = flag.trim();
    return isLocale(value) ? { locale: value } : { locale: fallback, unknown: { value: flag, source: '--lang' } };
  }
  return unknown ? { locale: fallback, unknown } : { locale: fallback };
}

let current: Locale = resolveLocale(undefined, process.env).locale;

/** Set once, before a command runs (src/cli/main.ts). */
export function setCliLocale(locale: Locale): void {
  current = locale;
}

export function cliLocale(): Locale {
  return current;
}

/**
 * `cli:<key>` in the command's language. Counts go in `count` (plural forms `_one`, `_other`);
 * `{{count, number}}` writes a number as Belgium does in that language (1.234 in nl, 1 234 in fr),
 * like the funnel's figures (`<locale>-BE`).
 */
export function t(key: string, params?: Record<string, unknown>, locale: Locale = current): string {
  return translate(locale, `cli:${key}`, { ...params, locale: `${locale}-BE` });
}

/** "a, b or c" in the command's language. */
export function orList(items: readonly string[], locale: Locale = current): string {
  return new Intl.ListFormat(`${locale}-BE`, { type: 'disjunction' }).format(items);
}

/** "a, b and c" in the command's language. */
export function andList(items: readonly string[], locale: Locale = current): string {
  return new Intl.ListFormat(`${locale}-BE`, { type: 'conjunction' }).format(items);
}

/** A refusal for the operator: `errors.<key>` of the `cli` catalogue, in the command's language. */
export class CliError extends Error {
  readonly key: string;
  constructor(key: string, params?: Record<string, unknown>) {
    super(t(`errors.${key}`, params));
    this.key = key;
  }
}

/** The refusal of a `--lang` or HAVEN_LANG that Haven does not speak. */
export function unknownLanguage(u: NonNullable<ResolvedLocale['unknown']>): CliError {
  return new CliError('unknownLanguage', { value: u.value, source: u.source, languages: orList(LOCALES) });
}

/** Left-aligned columns under their headings, two spaces apart. */
export function columns(headings: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headings), ...rows.map(line)];
}
