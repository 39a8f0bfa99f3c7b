import { NativeSelect } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isLocale, LOCALES, type Locale } from '../../kernel/i18n/locales.ts';
import { currentLocale } from './i18n.ts';
import { useSession } from './session.tsx';

/** Each language named in itself, so that anyone finds their own. */
export const LANGUAGE_NAMES: Record<Locale, string> = { nl: 'Nederlands', fr: 'Français', en: 'English', de: 'Deutsch' };

/** Applies at once; saved with the account when signed in, in this browser otherwise. */
export function LanguageSwitcher({ withLabel = false }: { withLabel?: boolean }) {
  const { t, i18n } = useTranslation();
  const { changeLocale } = useSession();
  const value = isLocale(i18n.language) ? i18n.language : currentLocale();
  return (
    <NativeSelect
      id={withLabel ? 'language-field' : 'language-switcher'}
      label={withLabel ? t('app:language.label') : undefined}
      aria-label={withLabel ? undefined : t('app:language.label')}
      value={value}
      data={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
      onChange={(e) => {
        const v = e.currentTarget.value;
        if (isLocale(v)) void changeLocale(v).catch(() => undefined);
      }}
      size={withLabel ? 'sm' : 'xs'}
      w={withLabel ? 240 : undefined}
    />
  );
}
