import { Alert, Anchor, Button, Card, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { get, post } from '../app/api.ts';
import { homeOf, type Notice, useSession } from '../app/session.tsx';
import type { NextStep } from '../app/types.ts';
import { Page, ProblemAlert, useProblem } from '../app/ui.tsx';

export interface AuthState {
  from?: string;
  notice?: Notice;
}

/** Where to go after signing in: back where the user was sent away from, else home. */
export function safeFrom(from: string | undefined): string {
  return from?.startsWith('/') && !from.startsWith('//') && !from.startsWith('/login') && !from.startsWith('/enrol') ? from : '/';
}

export function LoginPage() {
  const { t } = useTranslation('identity');
  const { session, refresh, notice, clearNotice } = useSession();
  const navigate = useNavigate();
  const located = (useLocation().state ?? {}) as AuthState;
  const state: AuthState = { notice: located.notice ?? notice?.kind, from: located.from ?? notice?.from };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const problem = useProblem();
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => get<{ needed: boolean }>('/api/setup'), staleTime: 60_000 });

  const login = useMutation({
    mutationFn: () => post<{ next: NextStep }>('/api/auth/login', { email, password }),
    onMutate: () => problem.clear(),
    onError: (e) => {
      problem.setError(e);
      setPassword('');
    },
    onSuccess: async ({ next }) => {
      clearNotice();
      await refresh();
      if (next === 'done') navigate(safeFrom(state.from), { replace: true });
      else navigate(next === 'mfa' ? '/login/mfa' : '/enrol', { replace: true, state: { from: state.from } });
    },
  });

  if (session && !login.isPending && !login.isSuccess) {
    return <Navigate to={session.state === 'active' ? safeFrom(state.from) : homeOf(session)} replace state={{ from: state.from }} />;
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };

  return (
    <Card withBorder padding="xl" shadow="xs">
      <Page title={t('login.title')}>
        {state.notice === 'expired' ? (
          <Alert role="status" color="yellow" variant="light" title={t('login.expiredTitle')}>
            {t('login.expiredText')}
          </Alert>
        ) : null}
        {state.notice === 'signedOut' ? (
          <Alert role="status" color="teal" variant="light">
            {t('login.signedOut')}
          </Alert>
        ) : null}
        {setup.data?.needed ? (
          <Alert color="blue" variant="light" title={t('login.setupNeededTitle')}>
            {t('login.setupNeededText')}
          </Alert>
        ) : null}
        <form onSubmit={submit} noValidate aria-label={t('login.title')}>
          <Stack>
            <ProblemAlert error={problem.error} />
            <TextInput
              label={t('fields.email')}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={problem.fields.email}
            />
            <PasswordInput
              label={t('fields.password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={problem.fields.password}
              visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
            />
            <Button type="submit" loading={login.isPending}>
              {t('login.submit')}
            </Button>
            <Text size="sm" c="dimmed">
              {t('login.forgotten')}
            </Text>
          </Stack>
        </form>
        {setup.data?.needed ? (
          <Text size="sm">
            <Anchor component={Link} to="/setup">
              {t('login.toSetup')}
            </Anchor>
          </Text>
        ) : null}
      </Page>
    </Card>
  );
}
