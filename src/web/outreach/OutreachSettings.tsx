/**
 * The programme's attempt rule (`/outreach/settings`, outreach.manage): at most how many attempts,
 * each on another day and/or another part of the day than the earlier ones, how long a claim
 * lasts, and whether a neutral voicemail may be left by default. Saved as a whole (audited by the
 * API); field errors at their field.
 */
import { Button, Card, Checkbox, Group, Loader, NumberInput, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { put } from '../app/api.ts';
import { Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { NS, type OutreachSettings, settingsPath, useOutreachSettings, VOICEMAIL_RULES, type VoicemailRule } from './outreach-admin.ts';

type Draft = Omit<OutreachSettings, 'updatedAt' | 'maxAttempts' | 'leaseMinutes'> & { maxAttempts: number | ''; leaseMinutes: number | '' };

function SettingsForm({ programmeId, settings }: { programmeId: string; settings: OutreachSettings }) {
  const { t } = useTranslation(NS);
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(settings);
  const [notice, setNotice] = useState<string | null>(null);
  const problem = useProblem();
  const fields = problem.fields;
  useEffect(() => setDraft(settings), [settings]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const save = useMutation({
    mutationFn: () =>
      put<OutreachSettings>(settingsPath(programmeId), {
        maxAttempts: draft.maxAttempts === '' ? null : draft.maxAttempts,
        distinctDays: draft.distinctDays,
        distinctParts: draft.distinctParts,
        leaseMinutes: draft.leaseMinutes === '' ? null : draft.leaseMinutes,
        voicemail: draft.voicemail,
      }),
    onMutate: () => {
      problem.clear();
      setNotice(null);
    },
    onError: problem.setError,
    onSuccess: (s) => {
      qc.setQueryData(['outreach-settings', programmeId], s);
      setNotice(t('settings.saved'));
    },
  });
  const number = (v: string | number): number | '' => (typeof v === 'number' ? v : v === '' ? '' : Number(v));
  return (
    <Card
      withBorder
      padding="lg"
      component="form"
      aria-labelledby="settings-rule"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="md">
        {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
        <ProblemAlert error={problem.error} />
        <Title order={2} size="h3" id="settings-rule">
          {t('settings.rule')}
        </Title>
        <NumberInput
          label={t('settings.maxAttempts')}
          description={t('settings.maxAttemptsHint')}
          name="maxAttempts"
          required
          min={1}
          max={10}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          maw={560}
          styles={{ wrapper: { maxWidth: 260 } }}
          value={draft.maxAttempts}
          onChange={(v) => set('maxAttempts', number(v))}
          error={fields.maxAttempts}
        />
        <Checkbox
          label={t('settings.distinctDays')}
          description={t('settings.distinctDaysHint')}
          name="distinctDays"
          checked={draft.distinctDays}
          onChange={(e) => set('distinctDays', e.currentTarget.checked)}
          error={fields.distinctDays}
        />
        <Checkbox
          label={t('settings.distinctParts')}
          description={t('settings.distinctPartsHint')}
          name="distinctParts"
          checked={draft.distinctParts}
          onChange={(e) => set('distinctParts', e.currentTarget.checked)}
          error={fields.distinctParts}
        />
        <Title order={2} size="h3">
          {t('settings.work')}
        </Title>
        <NumberInput
          label={t('settings.leaseMinutes')}
          description={t('settings.leaseMinutesHint')}
          name="leaseMinutes"
          required
          min={5}
          max={480}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          maw={560}
          styles={{ wrapper: { maxWidth: 260 } }}
          value={draft.leaseMinutes}
          onChange={(v) => set('leaseMinutes', number(v))}
          error={fields.leaseMinutes}
        />
        <Radio.Group
          label={t('settings.voicemail')}
          description={t('settings.voicemailHint')}
          name="voicemail"
          value={draft.voicemail}
          onChange={(v) => set('voicemail', v as VoicemailRule)}
          error={fields.voicemail}
        >
          <Stack gap={6} mt={6}>
            {VOICEMAIL_RULES.map((r) => (
              <Radio key={r} value={r} label={t(`settings.voicemailRule.${r}`)} />
            ))}
          </Stack>
        </Radio.Group>
        <Group justify="space-between" align="center">
          <Text size="sm" c="dimmed">
            {settings.updatedAt ? t('settings.updatedAt', { at: formatDateTime(settings.updatedAt) }) : t('settings.defaults')}
          </Text>
          <Button type="submit" loading={save.isPending}>
            {t('settings.save')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function OutreachSettingsPage() {
  const { t } = useTranslation(NS);
  const ctx = useProgrammeContext('outreach.manage');
  const settings = useOutreachSettings(ctx.programmeId);
  return (
    <Page title={t('settings.title')} description={t('settings.intro')}>
      <Group align="flex-end">{ctx.picker}</Group>
      <ProblemAlert error={settings.error} />
      {ctx.programmeId && settings.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {settings.data && ctx.programmeId ? <SettingsForm key={ctx.programmeId} programmeId={ctx.programmeId} settings={settings.data} /> : null}
    </Page>
  );
}
