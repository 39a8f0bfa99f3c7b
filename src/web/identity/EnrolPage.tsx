import { Anchor, Button, Card, Checkbox, CopyButton, Group, List, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { post } from '../app/api.ts';
import { homeOf, useSession } from '../app/session.tsx';
import { Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { type AuthState, safeFrom } from './LoginPage.tsx';

interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** The secret in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Set up the authenticator app: a QR code to scan (or the secret to type), a first code to confirm,
 * then the ten recovery codes, shown this once.
 */
export function EnrolPage() {
  const { t } = useTranslation('identity');
  const { session, refresh, signOut } = useSession();
  const navigate = useNavigate();
  const state = (useLocation().state ?? {}) as AuthState;
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const problem = useProblem();
  const started = useRef(false);

  const mayEnrol = !!session && (session.state === 'mfa_enrolment' || (session.state === 'active' && !session.user.mfaEnabled));

  const start = useMutation({
    mutationFn: () => post<Enrolment>('/api/auth/mfa/enrolment'),
    onSuccess: setEnrolment,
  });
  useEffect(() => {
    // Once: a second start would replace the secret the user may already be scanning.
    if (mayEnrol && !started.current) {
      started.current = true;
      start.mutate();
    }
  }, [mayEnrol, start]);

  const confirm = useMutation({
    mutationFn: () => post<{ next: 'done'; recoveryCodes: string[] }>('/api/auth/mfa/enrolment/confirm', { code }),
    onMutate: () => problem.clear(),
    onError: (e) => {
      problem.setError(e);
      setCode('');
    },
    onSuccess: (r) => setCodes(r.recoveryCodes),
  });

  const finish = useMutation({
    mutationFn: refresh,
    onSuccess: () => navigate(safeFrom(state.from), { replace: true }),
  });

  if (codes) {
    const text = codes.join('\n');
    return (
      <Card withBorder padding="xl" shadow="xs">
        <Page title={t('enrol.codesTitle')}>
          <Text role="status">{t('enrol.done')}</Text>
          <Text>{t('enrol.codesIntro')}</Text>
          <List className="recovery-codes" type="ordered" aria-label={t('enrol.codesTitle')} data-testid="recovery-codes">
            {codes.map((c) => (
              <List.Item key={c}>{c}</List.Item>
            ))}
          </List>
          <Group>
            <CopyButton value={text}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? t('enrol.copied') : t('enrol.copy')}
                </Button>
              )}
            </CopyButton>
            <Button
              variant="default"
              component="a"
              href={`data:text/plain;charset=utf-8,${encodeURIComponent(`${text}\n`)}`}
              download="haven-recovery-codes.txt"
            >
              {t('enrol.download')}
            </Button>
          </Group>
          <Checkbox label={t('enrol.savedCheck')} checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
          <ProblemAlert error={finish.error} />
          <Button disabled={!saved} loading={finish.isPending} onClick={() => finish.mutate()}>
            {t('enrol.continue')}
          </Button>
        </Page>
      </Card>
    );
  }

  if (!mayEnrol) return <Navigate to={homeOf(session)} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate();
  };

  return (
    <Card withBorder padding="xl" shadow="xs">
      <Page title={t('enrol.title')}>
        <Text>{t('enrol.intro')}</Text>
        <ProblemAlert error={start.error} />
        {start.isPending ? <Loader size="sm" aria-label={t('enrol.preparing')} /> : null}
        {enrolment ? (
          <Stack gap="lg">
            <Stack gap="xs">
              <Title order={2} size="h4">
                {t('enrol.step1')}
              </Title>
              <Text>{t('enrol.scan')}</Text>
              <img className="qr-code" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`} alt={t('enrol.qrAlt')} />
            </Stack>
            <Stack gap="xs">
              <Text>{t('enrol.typeInstead')}</Text>
              <Text>
                {t('enrol.secretLabel')}:{' '}
                <span className="secret" data-testid="totp-secret">
                  {grouped(enrolment.secret)}
                </span>
              </Text>
              <Group gap="xs">
                <CopyButton value={enrolment.secret}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="default" onClick={copy}>
                      {copied ? t('enrol.copied') : t('enrol.copySecret')}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            </Stack>
            <form onSubmit={submit} noValidate aria-label={t('enrol.step2')}>
              <Stack gap="xs">
                <Title order={2} size="h4">
                  {t('enrol.step2')}
                </Title>
                <ProblemAlert error={problem.error} />
                <TextInput
                  label={t('mfa.codeLabel')}
                  description={t('enrol.codeHint')}
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={7}
                  required
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                  error={problem.fields.code}
                />
                <Button type="submit" loading={confirm.isPending}>
                  {t('enrol.confirm')}
                </Button>
              </Stack>
            </form>
          </Stack>
        ) : null}
        {session?.state !== 'active' ? (
          <Anchor component="button" type="button" onClick={() => void signOut()} style={{ alignSelf: 'flex-start' }}>
            {t('mfa.cancel')}
          </Anchor>
        ) : null}
      </Page>
    </Card>
  );
}
