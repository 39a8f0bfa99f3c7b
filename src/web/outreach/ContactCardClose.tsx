/**
 * Closing a contact from the outreach, with the outcomes the card says fit now (conversation held,
 * refused, unreachable after the last attempt, not informed, reached by letter), or leaving it
 * open. Closing starts the retention clock; it ends the claim and any planned follow-up call.
 * Used on the card (before the person is reached) and as the last step after a conversation.
 */
import { Alert, Button, Card, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { ProblemAlert, useProblem } from '../app/ui.tsx';
import { CLOSE_OUTCOMES, type ContactState, closeOutcomeLabel, contactPath, worklistUrl } from './outreach.ts';

const LEAVE_OPEN = 'open';

export function CloseContact({
  programmeId,
  contact,
  search,
  leaveOpen = false,
  suggested,
}: {
  programmeId: string;
  contact: ContactState;
  search: string;
  /** offer "leave open" (after a conversation: a follow-up call or a referral may still come) */
  leaveOpen?: boolean;
  /** the outcome chosen at first */
  suggested?: string;
}) {
  const { t } = useTranslation('outreach');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const options = CLOSE_OUTCOMES.filter((o) => contact.closeOptions.includes(o));
  const [choice, setChoice] = useState<string>(suggested && (options as string[]).includes(suggested) ? suggested : '');
  const [error, setError] = useState<string | undefined>();
  const problem = useProblem();
  const close = useMutation({
    mutationFn: (outcome: string) => post<ContactState>(`${contactPath(programmeId, contact.id)}/outreach-close`, { outcome }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: ['worklist', programmeId] });
      navigate(worklistUrl(search), { state: { notice: t('close.done', { ref: c.ref, outcome: closeOutcomeLabel(t, c.outcome ?? '') }) } });
    },
  });
  const submit = () => {
    if (!choice) {
      setError(t('close.choose'));
      setTimeout(() => document.querySelector<HTMLElement>('#close-contact [aria-invalid="true"]')?.focus(), 0);
      return;
    }
    if (choice === LEAVE_OPEN) {
      navigate(worklistUrl(search), { state: { notice: t('close.leftOpen', { ref: contact.ref }) } });
      return;
    }
    close.mutate(choice);
  };
  if (!options.length && !leaveOpen) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="close-heading">
      <form
        id="close-contact"
        noValidate
        aria-labelledby="close-heading"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          <Title order={2} size="h3" id="close-heading">
            {leaveOpen ? t('close.titleOrOpen') : t('close.title')}
          </Title>
          <Text size="sm">{t('close.intro')}</Text>
          {contact.followUpAt ? (
            <Alert color="yellow" variant="light">
              <Text c="dark.9" size="sm">
                {t('close.followUpPending', { at: formatDateTime(contact.followUpAt) })}
              </Text>
            </Alert>
          ) : null}
          <ProblemAlert error={problem.error} />
          <Radio.Group
            label={t('close.outcome')}
            name="closeOutcome"
            value={choice}
            onChange={(v) => {
              setChoice(v);
              setError(undefined);
            }}
            error={error}
            required
          >
            <Stack gap={8} mt={6}>
              {options.map((o) => (
                <Radio key={o} value={o} size="md" label={closeOutcomeLabel(t, o)} description={t(`close.hint.${o}`)} aria-invalid={!!error || undefined} />
              ))}
              {leaveOpen ? (
                <Radio value={LEAVE_OPEN} size="md" label={t('close.leaveOpen')} description={t('close.leaveOpenHint')} aria-invalid={!!error || undefined} />
              ) : null}
            </Stack>
          </Radio.Group>
          <div>
            <Button type="submit" size="md" loading={close.isPending}>
              {choice === LEAVE_OPEN ? t('close.submitOpen') : t('close.submit')}
            </Button>
          </div>
        </Stack>
      </form>
    </Card>
  );
}
