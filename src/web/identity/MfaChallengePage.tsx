import { Alert, Anchor, Button, Card, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { post } from '../app/api.ts';
import { homeOf, useSession } from '../app/session.tsx';
import { Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { type AuthState, safeFrom } from './LoginPage.tsx';

/** The second step of signing in: a code from the authenticator app, or a one-time recovery code. */
export function MfaChallengePage() {
  const { t } = useTranslation('identity');
  const { session, refresh, signOut } = useSession();
  const navigate = useNavigate();
  const state = (useLocation().state ?? {}) as AuthState;
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [codesLeft, setCodesLeft] = useState<number | null>(null);
  const problem = useProblem();

  const verify = useMutation({
    mutationFn: () => post<{ next: 'done'; recoveryCodesLeft?: number }>('/api/auth/mfa', { code }),
    onMutate: () => problem.clear(),
    onError: (e) => {
      problem.setError(e);
      setCode('');
    },
    onSuccess: async (r) => {
      if (r.recoveryCodesLeft !== undefined) {
        // Say how many recovery codes are left before going on; the session is refreshed on.
        setCodesLeft(r.recoveryCodesLeft);
        return;
      }
      await refresh();
      navigate(safeFrom(state.from), { replace: true });
    },
  });

  if (codesLeft !== null) {
    return (
      <Card withBorder padding="xl" shadow="xs">
        <Page title={t('mfa.recoveryUsedTitle')}>
          <Alert role="status" color="yellow" variant="light">
            {t('mfa.recoveryUsedText', { left: codesLeft })}
          </Alert>
          <Button
            onClick={async () => {
              await refresh();
              navigate('/profile', { replace: true });
            }}
          >
            {t('mfa.toProfile')}
          </Button>
        </Page>
      </Card>
    );
  }

  if (!session || (session.state !== 'mfa_challenge' && !verify.isPending && !verify.isSuccess)) return <Navigate to={homeOf(session)} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate();
  };

  return (
    <Card withBorder padding="xl" shadow="xs">
      <Page title={t('mfa.title')}>
        <Text>{useRecovery ? t('mfa.recoveryIntro') : t('mfa.intro')}</Text>
        <form onSubmit={submit} noValidate aria-label={t('mfa.title')}>
          <Stack>
            <ProblemAlert error={problem.error} />
            {useRecovery ? (
              <TextInput
                key="recovery"
                label={t('mfa.recoveryLabel')}
                description={t('mfa.recoveryHint')}
                name="code"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                required
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                error={problem.fields.code}
                data-autofocus
              />
            ) : (
              <TextInput
                key="totp"
                label={t('mfa.codeLabel')}
                description={t('mfa.codeHint')}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                required
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                error={problem.fields.code}
              />
            )}
            <Button type="submit" loading={verify.isPending}>
              {t('mfa.submit')}
            </Button>
          </Stack>
        </form>
        <Stack gap="xs">
          <Anchor
            component="button"
            type="button"
            onClick={() => {
              setUseRecovery((v) => !v);
              setCode('');
              problem.clear();
            }}
          >
            {useRecovery ? t('mfa.useApp') : t('mfa.useRecovery')}
          </Anchor>
          <Anchor component="button" type="button" onClick={() => void signOut()}>
            {t('mfa.cancel')}
          </Anchor>
        </Stack>
      </Page>
    </Card>
  );
}
