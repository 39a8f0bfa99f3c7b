/**
 * The caller's own escalation, at any moment of the conversation (key E): to whom (Veilig Huis,
 * the case consultation, police), how urgent, why (the caller's judgment among the reasons), an
 * optional note (sealed; only the coordinator reads it, audited), and whether the dossier must
 * become red whatever the reasons. Also the alert that says what happens once an escalation is
 * raised, by a marked answer or by hand.
 */
import { Alert, Checkbox, Group, List, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { forwardRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../app/api.ts';
import { FormDialog, useProblem } from '../app/ui.tsx';
import { colourLabel } from '../referrals/intake.ts';
import {
  contactPath,
  ESCALATION_REASONS,
  ESCALATION_RECIPIENTS,
  ESCALATION_URGENCIES,
  type Raised,
  reasonLabel,
  recipientLabel,
  urgencyLabel,
} from './outreach.ts';

export function EscalateDialog({
  programmeId,
  contactId,
  conversationId,
  onClose,
  onRaised,
}: {
  programmeId: string;
  contactId: string;
  conversationId: string | null;
  onClose: () => void;
  onRaised: (r: Raised) => void;
}) {
  const { t } = useTranslation('outreach');
  const [recipient, setRecipient] = useState<string>('veilig_huis');
  const [urgency, setUrgency] = useState<string>('today');
  const [reasons, setReasons] = useState<string[]>(['caller_judgment']);
  const [note, setNote] = useState('');
  const [red, setRed] = useState(false);
  const problem = useProblem();
  const raise = useMutation({
    mutationFn: () =>
      post<Raised>(`${contactPath(programmeId, contactId)}/escalations`, {
        recipient,
        urgency,
        reasons,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(conversationId ? { conversationId } : {}),
        ...(red ? { colour: 'red' } : {}),
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: onRaised,
  });
  const f = problem.fields;
  return (
    <FormDialog
      title={t('escalate.title')}
      error={problem.error}
      busy={raise.isPending}
      submitLabel={t('escalate.submit')}
      onSubmit={() => raise.mutate()}
      onClose={onClose}
    >
      <Text size="sm">{t('escalate.intro')}</Text>
      <Radio.Group label={t('escalate.recipient')} name="recipient" value={recipient} onChange={setRecipient} error={f.recipient} required>
        <Stack gap={6} mt={6}>
          {ESCALATION_RECIPIENTS.map((r, i) => (
            <Radio key={r} value={r} label={recipientLabel(t, r)} {...(i === 0 ? { 'data-autofocus': true } : {})} />
          ))}
        </Stack>
      </Radio.Group>
      <Radio.Group label={t('escalate.urgency')} name="urgency" value={urgency} onChange={setUrgency} error={f.urgency} required>
        <Group gap="lg" mt={6}>
          {ESCALATION_URGENCIES.map((u) => (
            <Radio key={u} value={u} label={urgencyLabel(t, u)} />
          ))}
        </Group>
      </Radio.Group>
      <Checkbox.Group label={t('escalate.reasons')} description={t('escalate.reasonsHint')} value={reasons} onChange={setReasons} error={f.reasons} required>
        <Stack gap={6} mt={6}>
          {ESCALATION_REASONS.map((r) => (
            <Checkbox key={r} value={r} name="reasons" label={reasonLabel(t, r)} aria-invalid={!!f.reasons || undefined} />
          ))}
        </Stack>
      </Checkbox.Group>
      <Checkbox label={t('escalate.red')} description={t('escalate.redHint')} name="colour" checked={red} onChange={(e) => setRed(e.currentTarget.checked)} />
      <Textarea
        label={t('escalate.note')}
        description={t('escalate.noteHint')}
        name="note"
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        error={f.note}
        maxLength={4000}
        autosize
        minRows={3}
      />
    </FormDialog>
  );
}

/** What happens now that an escalation is raised: announced at once, focus put on it. */
export const RaisedAlert = forwardRef<HTMLDivElement, { raised: Raised }>(function RaisedAlert({ raised }, ref) {
  const { t } = useTranslation('outreach');
  return (
    <Alert
      ref={ref}
      tabIndex={-1}
      role="alert"
      color="red"
      variant="light"
      title={t('escalated.title', { reasons: raised.reasons.map((r) => reasonLabel(t, r)).join(', ') })}
      data-testid="escalation-alert"
      data-escalation={raised.id}
    >
      <Stack gap={6}>
        <Text c="dark.9" size="sm">
          {t('escalated.to', { recipient: recipientLabel(t, raised.recipient), urgency: urgencyLabel(t, raised.urgency).toLowerCase() })}
        </Text>
        <List size="sm" c="dark.9" spacing={2}>
          <List.Item>{t('escalated.coordinator')}</List.Item>
          <List.Item>{t('escalated.colour', { colour: colourLabel(t, raised.dossierColour).toLowerCase() })}</List.Item>
          <List.Item>{raised.contactClosed ? t('escalated.closed') : t('escalated.left')}</List.Item>
          <List.Item>{t('escalated.stay')}</List.Item>
        </List>
        <Text c="dark.9" size="sm" fw={700}>
          {t('escalated.danger')}
        </Text>
      </Stack>
    </Alert>
  );
});
