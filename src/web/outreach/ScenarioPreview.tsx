/**
 * A scenario version as a caller reads it, read-only, in one of its languages: the sections, the
 * questions in order with the caller's help, how each is answered, and in words which answers are
 * counted in reports and which raise an escalation (and why).
 */
import { Group, List, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reasonLabel } from './EscalationsPage.tsx';
import { NS, type ScenarioDefinition, WORDING_LOCALES, type WordingLocale } from './outreach-admin.ts';

type Wording = { nl: string; fr: string; en: string; de?: string };

/** The wording in `locale`, else in the user's fallback order. */
const say = (w: Wording | undefined, locale: WordingLocale) => (w ? (w[locale] ?? w.en) : '');

export function previewLocale(language: string, def: ScenarioDefinition): WordingLocale {
  if (language === 'de' && def.title.de) return 'de';
  return (['nl', 'fr', 'en'] as const).find((l) => l === language) ?? 'en';
}

export function ScenarioPreview({ definition, headingLevel = 2 }: { definition: ScenarioDefinition; headingLevel?: 2 | 3 }) {
  const { t, i18n } = useTranslation(NS);
  const [locale, setLocale] = useState<WordingLocale>(() => previewLocale(i18n.language, definition));
  const offered = WORDING_LOCALES.filter((l) => l !== 'de' || !!definition.title.de);
  let n = 0;
  return (
    <Stack gap="md" data-testid="scenario-preview" lang={locale}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Title order={headingLevel} size="h3">
          {say(definition.title, locale)}
        </Title>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="preview-language" lang={i18n.language}>
            {t('scenarios.preview.language')}
          </Text>
          <SegmentedControl
            aria-labelledby="preview-language"
            value={locale}
            onChange={(v) => setLocale(v as WordingLocale)}
            data={offered.map((l) => ({ value: l, label: t(`scenarios.lang.${l}`) }))}
          />
        </Stack>
      </Group>
      {definition.sections.map((s) => (
        <Stack key={s.id} gap="xs" component="section" aria-label={say(s.title, locale)}>
          <Title order={(headingLevel + 1) as 3 | 4} size="h4">
            {say(s.title, locale)}
          </Title>
          <List type="ordered" start={n + 1} spacing="sm">
            {s.questions.map((q) => {
              n++;
              return (
                <List.Item key={q.id} data-question={q.id}>
                  <Stack gap={4}>
                    <Text fw={600}>{say(q.text, locale)}</Text>
                    {q.help ? (
                      <Text size="sm" c="dimmed">
                        {say(q.help, locale)}
                      </Text>
                    ) : null}
                    <Text size="sm" lang={i18n.language}>
                      {q.type === 'yes_no'
                        ? t('scenarios.preview.yesNo')
                        : q.type === 'scale'
                          ? t('scenarios.preview.scale')
                          : q.type === 'text'
                            ? t('scenarios.preview.text')
                            : t('scenarios.preview.choice')}
                    </Text>
                    {q.type === 'choice' && q.choices ? (
                      <List size="sm" withPadding>
                        {q.choices.map((c) => (
                          <List.Item key={c.key}>{say(c.label, locale)}</List.Item>
                        ))}
                      </List>
                    ) : null}
                    <Group gap="xs" lang={i18n.language}>
                      {q.counted ? (
                        <Text size="sm" fw={600} c="blue.9">
                          {t('scenarios.preview.counted')}
                        </Text>
                      ) : null}
                      {q.escalatesOn?.length ? (
                        <Text size="sm" fw={600} c="red.9">
                          <span aria-hidden="true">⚠ </span>
                          {t('scenarios.preview.escalates', {
                            answers: q.escalatesOn
                              .map((v) =>
                                typeof v === 'boolean'
                                  ? t(v ? 'scenarios.yes' : 'scenarios.no')
                                  : typeof v === 'number'
                                    ? String(v)
                                    : say(q.choices?.find((c) => c.key === v)?.label, locale) || v,
                              )
                              .join(', '),
                            reason: q.escalationReason ? reasonLabel(t, q.escalationReason) : '',
                          })}
                        </Text>
                      ) : null}
                    </Group>
                  </Stack>
                </List.Item>
              );
            })}
          </List>
        </Stack>
      ))}
    </Stack>
  );
}
