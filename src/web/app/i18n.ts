/**
 * i18next for the browser, on the catalogues the server uses too: src/i18n/<locale>/<ns>.json.
 * The language: the user's saved preference once signed in; before that the last choice made in
 * this browser (localStorage), else the browser's languages. <html lang> follows it.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale, negotiateLocale } from '../../kernel/i18n/locales.ts';

// The command line's catalogue is the server's only; the browser never shows it.
const files = import.meta.glob<Record<string, unknown>>(['../../i18n/*/*.json', '!../../i18n/*/cli.json'], { eager: true, import: 'default' });

const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [file, catalogue] of Object.entries(files)) {
  const m = /\/i18n\/([a-z]+)\/([a-zA-Z_-]+)\.json$/.exec(file);
  if (!m) continue;
  const [, locale = '', ns = ''] = m;
  resources[locale] ??= {};
  (resources[locale] as Record<string, Record<string, unknown>>)[ns] = catalogue;
}

const STORAGE_KEY = 'haven.locale';

function stored(): Locale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

export function initialLocale(): Locale {
  return stored() ?? negotiateLocale(navigator.languages?.join(',') || navigator.language || DEFAULT_LOCALE);
}

void i18next.use(initReactI18next).init({
  resources,
  lng: initialLocale(),
  supportedLngs: [...LOCALES],
  fallbackLng: 'en',
  ns: Object.keys(resources.en ?? {}),
  defaultNS: 'app',
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

function applyLang(lng: string): void {
  document.documentElement.lang = lng;
  document.title = i18next.t('common:appName');
}
applyLang(i18next.language);
i18next.on('languageChanged', applyLang);

export function currentLocale(): Locale {
  return isLocale(i18next.language) ? i18next.language : DEFAULT_LOCALE;
}

export default i18next;
