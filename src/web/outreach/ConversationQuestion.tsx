/**
 * One question of the conversation guide, as the caller answers it: yes/no, a scale of 1 to 5, a
 * choice (radio groups: Tab into the group, arrows to choose) or free text (saved a moment after
 * typing stops, and when leaving the field). The help for the caller stays beside the question; a
 * marked question says that its answer raises an escalation. An answer can be cleared.
 */
import { Box, Button, Group, Radio, Stack, Text, Textarea } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type Answer, type ScenarioQuestion, wording } from './outreach.ts';

const SCALE = [1, 2, 3, 4, 5] as const;

export function Question({
  question: q,
  lang,
  value,
  error,
  onAnswer,
  onTextDone,
}: {
  question: ScenarioQuestion;
  /** the language of the wording */
  lang: string;
  value: Answer | null | undefined;
  error?: string | undefined;
  /** a new answer; null clears it. `text` says it is typed (saved after a pause, or on leaving the field). */
  onAnswer: (value: Answer | null, text?: boolean) => void;
  onTextDone: () => void;
}) {
  const { t } = useTranslation('outreach');
  const text = wording(q.text, lang);
  // The guide's wording may be in another language than the screen's.
  const label = <span lang={lang}>{text}</span>;
  const help = q.help ? <span lang={lang}>{wording(q.help, lang)}</span> : undefined;
  const answered = value !== undefined && value !== null && value !== '';
  const marked = q.escalatesOn?.length ? (
    <Text span size="sm" fw={700} c="red.9" display="block" mt={2}>
      <span aria-hidden="true">⚠ </span>
      {t('conversation.marked', {
        answers: q.escalatesOn
          .map((v) =>
            typeof v === 'boolean'
              ? v
                ? t('yes')
                : t('no')
              : typeof v === 'number'
                ? String(v)
                : wording(q.choices?.find((c) => c.key === v)?.label ?? q.text, lang),
          )
          .join(', '),
      })}
    </Text>
  ) : null;
  const clear = answered ? (
    <Button variant="subtle" size="compact-sm" onClick={() => onAnswer(null)} aria-label={t('conversation.clearNamed', { question: text })}>
      {t('conversation.clear')}
    </Button>
  ) : null;
  const description = (
    <>
      {help ? (
        <Text span size="sm" c="dark.6" display="block">
          {t('conversation.forYou')} {help}
        </Text>
      ) : null}
      {marked}
    </>
  );
  const name = `answers.${q.id}`;
  let field: ReactNode;
  switch (q.type) {
    case 'yes_no':
      field = (
        <Radio.Group
          label={label}
          description={description}
          name={name}
          value={value === true ? 'yes' : value === false ? 'no' : ''}
          onChange={(v) => onAnswer(v === 'yes')}
          error={error}
        >
          <Group gap="xl" mt={8}>
            <Radio value="yes" size="md" label={t('yes')} aria-invalid={!!error || undefined} />
            <Radio value="no" size="md" label={t('no')} aria-invalid={!!error || undefined} />
            {clear}
          </Group>
        </Radio.Group>
      );
      break;
    case 'scale':
      field = (
        <Radio.Group
          label={label}
          description={description}
          name={name}
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(v) => onAnswer(Number(v))}
          error={error}
        >
          <Group gap="lg" mt={8}>
            {SCALE.map((n) => (
              <Radio key={n} value={String(n)} size="md" label={String(n)} aria-label={t('conversation.scaleOf', { n })} aria-invalid={!!error || undefined} />
            ))}
            {clear}
          </Group>
        </Radio.Group>
      );
      break;
    case 'choice':
      field = (
        <Radio.Group
          label={label}
          description={description}
          name={name}
          value={typeof value === 'string' ? value : ''}
          onChange={(v) => onAnswer(v)}
          error={error}
        >
          <Stack gap={8} mt={8}>
            {(q.choices ?? []).map((c) => (
              <Radio key={c.key} value={c.key} size="md" label={<span lang={lang}>{wording(c.label, lang)}</span>} aria-invalid={!!error || undefined} />
            ))}
            {clear ? <Box>{clear}</Box> : null}
          </Stack>
        </Radio.Group>
      );
      break;
    default:
      field = (
        <Textarea
          label={label}
          description={description}
          name={name}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onAnswer(e.currentTarget.value, true)}
          onBlur={onTextDone}
          error={error}
          autosize
          minRows={3}
          maxLength={4000}
        />
      );
  }
  return (
    <Box data-question={q.id} py="xs">
      {field}
    </Box>
  );
}
