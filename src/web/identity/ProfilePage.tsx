import { Badge, Button, Card, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { post } from '../app/api.ts';
import { LanguageSwitcher } from '../app/LanguageSwitcher.tsx';
import { grantLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog, Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammes } from '../organisations/queries.ts';

function PasswordSection() {
  const { t } = useTranslation('identity');
  const [form, setForm] = useState({ currentPassword: '', newPassword: '', repeat: '' });
  const [repeatError, setRepeatError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const problem = useProblem();
  const change = useMutation({
    mutationFn: () => post('/api/me/password', { currentPassword: form.currentPassword, newPassword: form.newPassword }),
    onMutate: () => {
      problem.clear();
      setDone(false);
    },
    onError: problem.setError,
    onSuccess: () => {
      setForm({ currentPassword: '', newPassword: '', repeat: '' });
      setDone(true);
    },
  });
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: v }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.newPassword !== form.repeat) return setRepeatError(t('fields.repeatMismatch'));
    setRepeatError(null);
    change.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="password-title">
      <form onSubmit={submit} noValidate>
        <Stack maw={420}>
          <Title order={2} size="h3" id="password-title">
            {t('profile.passwordTitle')}
          </Title>
          {done ? <Notice onClose={() => setDone(false)}>{t('profile.passwordChanged')}</Notice> : null}
          <ProblemAlert error={problem.error} />
          <PasswordInput
            label={t('fields.currentPassword')}
            name="currentPassword"
            autoComplete="current-password"
            required
            value={form.currentPassword}
            onChange={set('currentPassword')}
            error={problem.fields.currentPassword}
            visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
          />
          <PasswordInput
            label={t('fields.newPassword')}
            description={t('fields.passwordRule')}
            name="newPassword"
            autoComplete="new-password"
            required
            value={form.newPassword}
            onChange={set('newPassword')}
            error={problem.fields.newPassword}
            visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
          />
          <PasswordInput
            label={t('fields.repeatPassword')}
            name="repeat"
            autoComplete="new-password"
            required
            value={form.repeat}
            onChange={set('repeat')}
            error={repeatError}
            visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              {t('profile.changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function AuthenticatorSection() {
  const { t } = useTranslation('identity');
  const { session, refresh } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState({ currentPassword: '', code: '' });
  const [confirming, setConfirming] = useState(false);
  const problem = useProblem();
  const reset = useMutation({
    mutationFn: () => post<{ next: 'enrol' }>('/api/me/mfa/reset', form),
    onMutate: () => problem.clear(),
    onError: (e) => {
      setConfirming(false);
      problem.setError(e);
    },
    onSuccess: async () => {
      setConfirming(false);
      await refresh();
      navigate('/enrol', { state: { from: '/profile' } });
    },
  });
  if (!session?.user.mfaEnabled) {
    return (
      <Card withBorder padding="lg" component="section" aria-labelledby="mfa-title">
        <Stack maw={520}>
          <Title order={2} size="h3" id="mfa-title">
            {t('profile.mfaTitle')}
          </Title>
          <Text>{t('profile.mfaOff')}</Text>
          <Group>
            <Button onClick={() => navigate('/enrol', { state: { from: '/profile' } })}>{t('profile.mfaSetUp')}</Button>
          </Group>
        </Stack>
      </Card>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setConfirming(true);
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="mfa-title">
      <form onSubmit={submit} noValidate>
        <Stack maw={420}>
          <Title order={2} size="h3" id="mfa-title">
            {t('profile.mfaTitle')}
          </Title>
          <Text>{t('profile.mfaOn')}</Text>
          <Text>{t('profile.mfaReplaceIntro')}</Text>
          <ProblemAlert error={problem.error} />
          <PasswordInput
            label={t('fields.currentPassword')}
            name="mfaCurrentPassword"
            autoComplete="current-password"
            required
            value={form.currentPassword}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setForm((f) => ({ ...f, currentPassword: v }));
            }}
            error={problem.fields.currentPassword}
            visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
          />
          <TextInput
            label={t('profile.currentCode')}
            name="mfaCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={form.code}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setForm((f) => ({ ...f, code: v }));
            }}
            error={problem.fields.code}
          />
          <Group>
            <Button type="submit" variant="default">
              {t('profile.mfaReplace')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ConfirmDialog
        opened={confirming}
        title={t('profile.mfaConfirmTitle')}
        confirmLabel={t('profile.mfaReplace')}
        danger
        busy={reset.isPending}
        onConfirm={() => reset.mutate()}
        onClose={() => setConfirming(false)}
      >
        {t('profile.mfaConfirmText')}
      </ConfirmDialog>
    </Card>
  );
}

export function ProfilePage() {
  const { t } = useTranslation('identity');
  const { session } = useSession();
  const programmes = useProgrammes(!!session?.grants.length);
  if (!session) return null;
  return (
    <Page title={t('profile.title')}>
      <Card withBorder padding="lg" component="section" aria-labelledby="me-title">
        <Stack gap="xs">
          <Title order={2} size="h3" id="me-title">
            {session.user.displayName}
          </Title>
          <Text>{session.user.email}</Text>
          {session.user.organisationName ? (
            <Text data-testid="my-organisation">
              {t('profile.organisation')}: {session.user.organisationName}
            </Text>
          ) : null}
          <Group gap={6}>
            <Text>{t('profile.roles')}:</Text>
            {session.grants.length ? (
              session.grants.map((g) => <Badge key={`${g.role}-${g.programmeId}`}>{grantLabel(t, g, programmes.data?.items)}</Badge>)
            ) : (
              <Text>{t('profile.noRoles')}</Text>
            )}
          </Group>
        </Stack>
      </Card>
      <Card withBorder padding="lg" component="section" aria-labelledby="language-title">
        <Stack gap="xs">
          <Title order={2} size="h3" id="language-title">
            {t('profile.languageTitle')}
          </Title>
          <Text>{t('profile.languageText')}</Text>
          <LanguageSwitcher withLabel />
        </Stack>
      </Card>
      <PasswordSection />
      <AuthenticatorSection />
    </Page>
  );
}
