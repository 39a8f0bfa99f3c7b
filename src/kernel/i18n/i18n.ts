import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TOptions } from 'i18next';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.ts';

export * from './locales.ts';

/** The catalogues: src/i18n/<locale>/<namespace>.json, shared with the web app. */
export const CATALOGUE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../i18n');

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

export function loadCatalogues(dir = CATALOGUE_DIR): Resources {
  const resources: Resources = {};
  for (const locale of LOCALES) {
    resources[locale] = {};
    const localeDir = path.join(dir, locale);
    for (const file of readdirSync(localeDir)) {
      if (!file.endsWith('.json')) continue;
      (resources[locale] as Record<string, Record<string, unknown>>)[file.replace(/\.json$/, '')] = JSON.parse(
        readFileSync(path.join(localeDir, file), 'utf8'),
      );
    }
  }
  return resources;
}

let instance: i18n | undefined;

function get(): i18n {
  if (!instance) {
    const resources = loadCatalogues();
    instance = i18next.createInstance();
    void instance.init({
      resources,
      lng: DEFAULT_LOCALE,
      fallbackLng: 'en',
      ns: Object.keys(resources.en ?? {}),
      defaultNS: 'common',
      interpolation: { escapeValue: false },
      initAsync: false,
    });
  }
  return instance;
}

/** Translate `namespace:key` into `locale`. */
export function translate(locale: Locale, key: string, params?: TOptions): string {
  return get().getFixedT(locale)(key, params ?? {}) as string;
}
