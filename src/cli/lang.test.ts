/** Which language `haven …` speaks: --lang, else HAVEN_LANG, else the POSIX locale, else English. */
import { describe, expect, it } from 'vitest';
import { columns, localeOfPosix, resolveLocale, t } from './lang.ts';

describe('resolveLocale', () => {
  it('takes --lang first, then HAVEN_LANG, then LC_ALL, LC_MESSAGES, LANG, then en', () => {
    const env = { HAVEN_LANG: 'de', LC_ALL: 'fr_BE.UTF-8', LC_MESSAGES: 'en_GB.UTF-8', LANG: 'nl_BE.UTF-8' };
    expect(resolveLocale('nl', env)).toEqual({ locale: 'nl' });
    expect(resolveLocale(undefined, env)).toEqual({ locale: 'de' });
    expect(resolveLocale(undefined, { ...env, HAVEN_LANG: undefined })).toEqual({ locale: 'fr' });
    expect(resolveLocale(undefined, { LC_MESSAGES: 'de_BE.UTF-8', LANG: 'nl_BE.UTF-8' })).toEqual({ locale: 'de' });
    expect(resolveLocale(undefined, { LANG: 'nl_BE.UTF-8' })).toEqual({ locale: 'nl' });
    expect(resolveLocale(undefined, {})).toEqual({ locale: 'en' });
  });

  it('reads the language of a POSIX locale when Haven speaks it, else en', () => {
    expect(resolveLocale(undefined, { LANG: 'fr_BE' })).toEqual({ locale: 'fr' });
    expect(resolveLocale(undefined, { LANG: 'nl_NL.UTF-8@euro' })).toEqual({ locale: 'nl' });
    expect(resolveLocale(undefined, { LANG: 'es_ES.UTF-8' })).toEqual({ locale: 'en' });
    expect(resolveLocale(undefined, { LANG: 'C.UTF-8' })).toEqual({ locale: 'en' });
    // POSIX: LC_ALL wins over LANG, also when it says C.
    expect(resolveLocale(undefined, { LC_ALL: 'C', LANG: 'nl_BE.UTF-8' })).toEqual({ locale: 'en' });
    // An empty variable is an unset one.
    expect(resolveLocale(undefined, { LC_ALL: '', HAVEN_LANG: ' ', LANG: 'de_DE.UTF-8' })).toEqual({ locale: 'de' });
    expect(localeOfPosix('POSIX')).toBeUndefined();
    expect(localeOfPosix('nlx_BE')).toBeUndefined();
    expect(localeOfPosix('FR_be.utf8')).toBe('fr');
  });

  it('reports a --lang or HAVEN_LANG Haven does not speak, with the language to refuse it in', () => {
    expect(resolveLocale('xx', { HAVEN_LANG: 'fr' })).toEqual({ locale: 'fr', unknown: { value: 'xx', source: '--lang' } });
    expect(resolveLocale('nl_BE', { LANG: 'de_BE.UTF-8' })).toEqual({ locale: 'de', unknown: { value: 'nl_BE', source: '--lang' } });
    expect(resolveLocale(undefined, { HAVEN_LANG: 'es', LANG: 'nl_BE.UTF-8' })).toEqual({ locale: 'nl', unknown: { value: 'es', source: 'HAVEN_LANG' } });
    // A good --lang overrides a bad HAVEN_LANG.
    expect(resolveLocale('en', { HAVEN_LANG: 'es' })).toEqual({ locale: 'en' });
  });
});

describe('the cli catalogue', () => {
  it('has plurals and Belgian number formats per language', () => {
    expect(t('count.contacts', { count: 1 }, 'nl')).toBe('1 contact');
    expect(t('count.contacts', { count: 1234 }, 'nl')).toBe('1.234 contacten');
    expect(t('count.contacts', { count: 0 }, 'fr')).toBe('0 contact');
    expect(t('count.contacts', { count: 1234 }, 'fr')).toBe('1\u202f234 contacts');
    expect(t('count.contacts', { count: 2 }, 'de')).toBe('2 Kontakte');
    expect(t('count.contacts', { count: 1 }, 'en')).toBe('1 contact');
  });

  it('lines up columns under their headings', () => {
    expect(
      columns(
        ['id', 'programme'],
        [
          ['a1', 'x'],
          ['b', 'yy'],
        ],
      ),
    ).toEqual(['id  programme', 'a1  x', 'b   yy']);
  });
});
