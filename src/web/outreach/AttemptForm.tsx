/**
 * Recording an attempt on the contact card: the channel (phone; a text message or a letter, which
 * never name the service) and what happened, as large choices with the keys 1–8 for the outcome
 * of a call, an optional time earlier today and an optional note (sealed at rest). "Someone else
 * answered" shows at once what to do: end the call without saying why. The attempt rule's refusals
 * (same day, same part of the day, maximum) come back on the time field, in words.
 */
import { Alert, Button, Card, Group, Kbd, Paper, Radio, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { post } from '../app/api.ts';
import { ProblemAlert, useProblem } from '../app/ui.tsx';
import {
  ATTEMPT_CHANNELS,
  type Attempt,
  type AttemptChannel,
  attemptTime,
  type Card as CardData,
  type ContactState,
  cardKey,
  channelLabel,
  contactPath,
  outcomeLabel,
  PHONE_OUTCOMES,
} from './outreach.ts';
import { useShortcuts } from './WorklistKeyboard.tsx';

export interface AttemptResult {
  attempt: Attempt;
  contact: ContactState;
}

/** A large radio choice: the whole tile is the label, the key shown beside it. */
function Choice({
  value,
  label,
  shortcut,
  checked,
  invalid,
  inputRef,
}: {
  value: string;
  label: string;
  shortcut?: string;
  checked: boolean;
  invalid?: boolean;
  inputRef?: (el: HTMLInputElement | null) => void;
}) {
  return (
    <Paper withBorder radius="md" p="sm" bg={checked ? 'blue.0' : undefined} style={{ borderColor: checked ? 'var(--mantine-color-blue-7)' : undefined }}>
      <Radio
        value={value}
        size="md"
        ref={inputRef}
        aria-keyshortcuts={shortcut}
        aria-invalid={invalid || undefined}
        label={
          <Group gap="xs" wrap="nowrap" component="span">
            {shortcut ? (
              <Kbd size="sm" aria-hidden="true">
                {shortcut}
              </Kbd>
            ) : null}
            <Text span fw={checked ? 700 : 500}>
              {label}
            </Text>
          </Group>
        }
      />
    </Paper>
  );
}

export function AttemptForm({ programmeId, card, onDone }: { programmeId: string; card: CardData; onDone: (r: AttemptResult) => void }) {
  const { t } = useTranslation('outreach');
  const qc = useQueryClient();
  const c = card.contact;
  const [channel, setChannel] = useState<AttemptChannel>(c.hasPhone ? 'phone' : 'letter');
  const [outcome, setOutcome] = useState('');
  const [time, setTime] = useState('');
  const [note, setNote] = useState('');
  const [local, setLocal] = useState<{ outcome?: string; at?: string }>({});
  const problem = useProblem();
  const outcomeInputs = useRef<(HTMLInputElement | null)[]>([]);
  const isPhone = channel === 'phone';

  useShortcuts(
    Object.fromEntries(
      PHONE_OUTCOMES.map((o, i) => [
        String(i + 1),
        () => {
          if (!c.hasPhone) return;
          // Rendered at once (the group appears when the phone channel is chosen), then focused.
          flushSync(() => {
            setChannel('phone');
            setOutcome(o);
            setLocal((l) => ({ ...l, outcome: undefined }));
          });
          outcomeInputs.current[i]?.focus();
        },
      ]),
    ),
  );

  const record = useMutation({
    mutationFn: (body: Record<string, unknown>) => post<AttemptResult>(`${contactPath(programmeId, c.id)}/attempts`, body),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: (r) => {
      qc.setQueryData<CardData>(cardKey(programmeId, c.id), (old) =>
        old ? { ...old, contact: { ...old.contact, ...r.contact }, attempts: [...old.attempts.filter((a) => a.id !== r.attempt.id), r.attempt] } : old,
      );
      setOutcome('');
      setTime('');
      setNote('');
      onDone(r);
    },
  });

  const submit = () => {
    const errors: { outcome?: string; at?: string } = {};
    if (isPhone && !outcome) errors.outcome = t('attempt.chooseOutcome');
    const at = attemptTime(time);
    if (at === null) errors.at = t('attempt.timeInvalid');
    setLocal(errors);
    if (errors.outcome || errors.at) {
      setTimeout(() => document.querySelector<HTMLElement>('#record-attempt [aria-invalid="true"]')?.focus(), 0);
      return;
    }
    record.mutate({
      channel,
      outcome: isPhone ? outcome : 'sent',
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(at ? { at: at.toISOString() } : {}),
    });
  };

  const rule = c.rule;
  const outcomeError = local.outcome ?? problem.fields.outcome;
  const atError = local.at ?? problem.fields.at;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="record-attempt-heading">
      <form
        id="record-attempt"
        noValidate
        aria-labelledby="record-attempt-heading"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          <Title order={2} size="h3" id="record-attempt-heading">
            {c.reachedAt ? t('attempt.titleFollowUp') : t('attempt.title')}
          </Title>
          <ProblemAlert error={problem.error} />
          <Radio.Group
            label={t('attempt.channel')}
            name="channel"
            value={channel}
            onChange={(v) => {
              setChannel(v as AttemptChannel);
              setLocal({});
            }}
          >
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs" mt={6}>
              {ATTEMPT_CHANNELS.filter((ch) => ch !== 'phone' || c.hasPhone).map((ch) => (
                <Choice key={ch} value={ch} label={channelLabel(t, ch)} checked={channel === ch} />
              ))}
            </SimpleGrid>
          </Radio.Group>
          {!c.hasPhone ? (
            <Text size="sm" fw={600}>
              {t('attempt.noPhone')}
            </Text>
          ) : null}
          {isPhone ? (
            <Radio.Group
              label={t('attempt.outcome')}
              description={t('attempt.outcomeHint')}
              name="outcome"
              value={outcome}
              onChange={(v) => {
                setOutcome(v);
                setLocal((l) => ({ ...l, outcome: undefined }));
              }}
              error={outcomeError}
              required
            >
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt={6}>
                {PHONE_OUTCOMES.map((o, i) => (
                  <Choice
                    key={o}
                    value={o}
                    label={outcomeLabel(t, o)}
                    shortcut={String(i + 1)}
                    checked={outcome === o}
                    invalid={!!outcomeError}
                    inputRef={(el) => {
                      outcomeInputs.current[i] = el;
                    }}
                  />
                ))}
              </SimpleGrid>
            </Radio.Group>
          ) : (
            <Text size="sm">{t('attempt.sentHint')}</Text>
          )}
          {isPhone && outcome === 'someone_else' ? (
            <Alert color="red" variant="filled" role="alert" title={t('attempt.someoneElseTitle')} data-testid="end-call">
              {t('attempt.someoneElse')}
            </Alert>
          ) : null}
          {isPhone && outcome === 'reached' ? (
            <Text size="sm" fw={600}>
              {t('attempt.reachedHint')}
            </Text>
          ) : null}
          {isPhone && rule.applies && !rule.callNow.ok && rule.callNow.reason ? (
            <Text size="sm" c="dark.9" fw={600}>
              {t(`card.callNow.${rule.callNow.reason}`)}
            </Text>
          ) : null}
          <Group align="flex-start" wrap="wrap" gap="md">
            <TextInput
              label={t('attempt.time')}
              description={t('attempt.timeHint')}
              name="at"
              value={time}
              onChange={(e) => {
                setTime(e.currentTarget.value);
                setLocal((l) => ({ ...l, at: undefined }));
              }}
              error={atError}
              inputMode="numeric"
              autoComplete="off"
              w={260}
            />
            <Textarea
              label={t('attempt.note')}
              description={t('attempt.noteHint')}
              name="note"
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              error={problem.fields.note}
              maxLength={4000}
              autosize
              minRows={2}
              style={{ flex: 1, minWidth: 280 }}
            />
          </Group>
          <Group>
            <Button type="submit" size="md" loading={record.isPending}>
              {c.reachedAt ? t('attempt.submitFollowUp') : t('attempt.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
