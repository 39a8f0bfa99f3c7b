import { Alert, Anchor, Button, Card, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { get, post } from '../app/api.ts';
import { currentLocale } from '../app/i18n.ts';
import { useSession } from '../app/session.tsx';
import { Page, ProblemAlert, useProblem } from '../app/ui.tsx';

/** The token of the one-time link `…/setup#<token>`; the fragment never reaches a server log. */
function tokenFromHash(): string {
  return decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
}

/** First start: the first organisation and administrator, then the authenticator. */
export function SetupPage() {
  const { t } = useTranslation('identity');
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [linkToken] = useState(tokenFromHash);
  const [form, setForm] = useState({ token: linkToken, organisationName: '', displayName: '', email: '', password: '', repeat: '' });
  const [repeatError, setRepeatError] = useState<string | null>(null);
  const problem = useProblem();
  const status = useQuery({ queryKey: ['setup'], queryFn: () => get<{ needed: boolean }>('/api/setup'), staleTime: 0 });
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  const setup = useMutation({
    mutationFn: () =>
      post<{ next: 'enrol' }>('/api/setup', {
        token: form.token.trim(),
        organisationName: form.organisationName,
        displayName: form.displayName,
        email: form.email,
        password: form.password,
        locale: currentLocale(),
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async () => {
      // The link is spent: keep it out of the history.
      window.history.replaceState(null, '', '/setup');
      await refresh();
      navigate('/enrol', { replace: true });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.password !== form.repeat) {
      setRepeatError(t('fields.repeatMismatch'));
      return;
    }
    setRepeatError(null);
    setup.mutate();
  };

  if (status.isPending) return <Loader aria-label={t('app:loading')} />;

  if (status.data && !status.data.needed && !setup.isPending && !setup.isSuccess) {
    return (
      <Card withBorder padding="xl" shadow="xs">
        <Page title={t('setup.doneTitle')}>
          <Text>{t('setup.doneText')}</Text>
          <Anchor component={Link} to="/login">
            {t('setup.toLogin')}
          </Anchor>
        </Page>
      </Card>
    );
  }

  return (
    <Card withBorder padding="xl" shadow="xs">
      <Page title={t('setup.title')} description={t('setup.steps')}>
        <ProblemAlert error={status.error} />
        <Text>{t('setup.intro')}</Text>
        {!linkToken ? (
          <Alert color="yellow" variant="light" title={t('setup.noTokenTitle')}>
            {t('setup.noTokenText')}
          </Alert>
        ) : null}
        <form onSubmit={submit} noValidate aria-label={t('setup.title')}>
          <Stack>
            <ProblemAlert error={problem.error} />
            {!linkToken || problem.fields.token ? (
              <TextInput
                label={t('setup.token')}
                name="token"
                autoComplete="off"
                required
                value={form.token}
                onChange={set('token')}
                error={problem.fields.token}
              />
            ) : null}
            <TextInput
              label={t('setup.organisationName')}
              description={t('setup.organisationHint')}
              name="organisationName"
              autoComplete="organization"
              required
              value={form.organisationName}
              onChange={set('organisationName')}
              error={problem.fields.organisationName}
            />
            <TextInput
              label={t('fields.displayName')}
              name="displayName"
              autoComplete="name"
              required
              value={form.displayName}
              onChange={set('displayName')}
              error={problem.fields.displayName}
            />
            <TextInput
              label={t('fields.email')}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={form.email}
              onChange={set('email')}
              error={problem.fields.email}
            />
            <PasswordInput
              label={t('fields.password')}
              description={t('fields.passwordRule')}
              name="password"
              autoComplete="new-password"
              required
              value={form.password}
              onChange={set('password')}
              error={problem.fields.password}
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
            <Button type="submit" loading={setup.isPending}>
              {t('setup.submit')}
            </Button>
          </Stack>
        </form>
      </Page>
    </Card>
  );
}
