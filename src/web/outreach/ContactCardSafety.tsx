/**
 * The safety information of a contact, recorded by a caller at any time (before, during or after
 * a call): whom to ask for, the voicemail rule, whether the other party lives at the same address,
 * the safe parts of the day and hours, notes. Sealed at rest; the change is audited without its
 * content. A form in a dialog; errors at their field.
 */
import { Checkbox, Group, Radio, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { put } from '../app/api.ts';
import { FormDialog, useProblem } from '../app/ui.tsx';
import { type Card as CardData, contactPath, PARTS_OF_DAY, type PartOfDay, partLabel, type Safety } from './outreach.ts';

type Tri = 'yes' | 'no' | 'unknown';
const triOf = (v: boolean | null): Tri => (v === null ? 'unknown' : v ? 'yes' : 'no');
const boolOf = (v: Tri): boolean | null => (v === 'unknown' ? null : v === 'yes');

export function SafetyDialog({
  programmeId,
  card,
  onClose,
  onSaved,
}: {
  programmeId: string;
  card: CardData;
  onClose: () => void;
  onSaved: (s: Safety) => void;
}) {
  const { t } = useTranslation('outreach');
  const s = card.safety;
  const [askFor, setAskFor] = useState(s.askFor ?? '');
  const [voicemail, setVoicemail] = useState<string>(s.voicemailSource === 'contact' ? s.voicemail : 'programme');
  const [sameAddress, setSameAddress] = useState<Tri>(triOf(s.otherPartySameAddress));
  const [safeParts, setSafeParts] = useState<string[]>(s.safeParts);
  const [safeHours, setSafeHours] = useState(s.safeHours ?? '');
  const [notes, setNotes] = useState(s.notes ?? '');
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () =>
      put<Safety>(`${contactPath(programmeId, card.contact.id)}/safety`, {
        askFor: askFor.trim() || null,
        voicemail: voicemail === 'programme' ? null : voicemail,
        otherPartySameAddress: boolOf(sameAddress),
        safeParts: PARTS_OF_DAY.filter((p) => safeParts.includes(p)),
        safeHours: safeHours.trim() || null,
        notes: notes.trim() || null,
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: onSaved,
  });
  const f = problem.fields;
  return (
    <FormDialog
      title={t('safety.title', { ref: card.contact.ref })}
      error={problem.error}
      busy={save.isPending}
      onSubmit={() => save.mutate()}
      onClose={onClose}
    >
      <TextInput
        label={t('safety.askFor')}
        description={t('safety.askForHint')}
        name="askFor"
        value={askFor}
        onChange={(e) => setAskFor(e.currentTarget.value)}
        error={f.askFor}
        maxLength={200}
        data-autofocus
      />
      <Radio.Group label={t('safety.voicemail')} name="voicemail" value={voicemail} onChange={setVoicemail} error={f.voicemail}>
        <Stack gap={6} mt={6}>
          <Radio value="programme" label={t('safety.voicemailProgramme')} />
          <Radio value="never" label={t('card.voicemailRule.never')} />
          <Radio value="neutral" label={t('card.voicemailRule.neutral')} />
        </Stack>
      </Radio.Group>
      <Radio.Group
        label={t('safety.sameAddress')}
        name="otherPartySameAddress"
        value={sameAddress}
        onChange={(v) => setSameAddress(v as Tri)}
        error={f.otherPartySameAddress}
      >
        <Group gap="lg" mt={6}>
          <Radio value="yes" label={t('yes')} />
          <Radio value="no" label={t('no')} />
          <Radio value="unknown" label={t('unknown')} />
        </Group>
      </Radio.Group>
      <Checkbox.Group label={t('safety.safeParts')} description={t('safety.safePartsHint')} value={safeParts} onChange={setSafeParts} error={f.safeParts}>
        <Stack gap={6} mt={6}>
          {PARTS_OF_DAY.map((p: PartOfDay) => (
            <Checkbox key={p} value={p} name="safeParts" label={partLabel(t, p)} />
          ))}
        </Stack>
      </Checkbox.Group>
      <TextInput
        label={t('safety.safeHours')}
        description={t('safety.safeHoursHint')}
        name="safeHours"
        value={safeHours}
        onChange={(e) => setSafeHours(e.currentTarget.value)}
        error={f.safeHours}
        maxLength={500}
      />
      <Textarea
        label={t('safety.notes')}
        description={t('safety.notesHint')}
        name="notes"
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
        error={f.notes}
        maxLength={4000}
        autosize
        minRows={3}
      />
    </FormDialog>
  );
}
