import { Anchor, Button, Card, Group, Loader, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { get, patch, post, put } from '../app/api.ts';
import { LANGUAGE_NAMES } from '../app/LanguageSwitcher.tsx';
import { grantLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import type { User } from '../app/types.ts';
import { ConfirmDialog, Notice, Page, ProblemAlert, StatusText, useProblem } from '../app/ui.tsx';
import { useOrganisations, useProgrammes } from '../organisations/queries.ts';
import { type GrantDraft, RolesEditor, toGrants } from './RolesEditor.tsx';
import { LocaleSelect } from './UserFormModal.tsx';

type Action = 'deactivate' | 'reactivate' | 'mfa-reset';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600} component="dt">
        {label}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </div>
  );
}

function DetailsForm({ user, onSaved }: { user: User; onSaved: (u: User) => void }) {
  const { t } = useTranslation('identity');
  const organisations = useOrganisations();
  const [form, setForm] = useState({ displayName: user.displayName, organisationId: user.organisationId, locale: user.locale ?? '' });
  useEffect(() => setForm({ displayName: user.displayName, organisationId: user.organisationId, locale: user.locale ?? '' }), [user]);
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => patch<User>(`/api/users/${user.id}`, { displayName: form.displayName, organisationId: form.organisationId, locale: form.locale || null }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: onSaved,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="details-title">
      <form onSubmit={submit} noValidate>
        <Stack maw={480}>
          <Title order={2} size="h3" id="details-title">
            {t('user.detailsTitle')}
          </Title>
          <ProblemAlert error={problem.error} />
          <TextInput
            label={t('fields.displayName')}
            name="displayName"
            required
            value={form.displayName}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setForm((f) => ({ ...f, displayName: v }));
            }}
            error={problem.fields.displayName}
          />
          <NativeSelect
            label={t('fields.organisation')}
            name="organisationId"
            value={form.organisationId}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setForm((f) => ({ ...f, organisationId: v }));
            }}
            data={(organisations.data?.items ?? [{ id: user.organisationId, name: user.organisationName, active: true }])
              .filter((o) => o.active || o.id === user.organisationId)
              .map((o) => ({ value: o.id, label: o.name }))}
            error={problem.fields.organisationId}
          />
          <LocaleSelect value={form.locale} onChange={(v) => setForm((f) => ({ ...f, locale: v }))} error={problem.fields.locale} />
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('user.saveDetails')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function RolesForm({ user, onSaved }: { user: User; onSaved: (u: User) => void }) {
  const { t } = useTranslation('identity');
  const programmes = useProgrammes();
  const initial = () => user.roles.map((g) => ({ role: g.role, programmeId: g.programmeId ?? '' }));
  const [roles, setRoles] = useState<GrantDraft[]>(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the saved user changes
  useEffect(() => setRoles(initial()), [user]);
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => put<User>(`/api/users/${user.id}/roles`, { roles: toGrants(roles) }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: onSaved,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="roles-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="roles-title">
            {t('user.rolesTitle')}
          </Title>
          <Text size="sm">{t('user.rolesNote')}</Text>
          <ProblemAlert error={problem.error} />
          <RolesEditor
            value={roles}
            onChange={setRoles}
            programmes={programmes.data?.items ?? []}
            errors={problem.fields}
            idPrefix="edit-user"
            labelledBy="roles-title"
          />
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('user.saveRoles')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function UserPage() {
  const { t } = useTranslation('identity');
  const { userId = '' } = useParams();
  const { can, session } = useSession();
  const qc = useQueryClient();
  const programmes = useProgrammes();
  const user = useQuery({ queryKey: ['users', userId], queryFn: () => get<User>(`/api/users/${userId}`) });
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const manage = can('users.manage');

  const saved = (message: string) => (u: User) => {
    qc.setQueryData(['users', userId], u);
    void qc.invalidateQueries({ queryKey: ['users'], predicate: (q) => q.queryKey[1] !== userId });
    setNotice(message);
  };

  const run = useMutation({
    mutationFn: (a: Action) => post<User>(`/api/users/${userId}/${a}`),
    onSuccess: (u, a) => {
      setAction(null);
      saved(t(`user.done.${a}`, { name: u.displayName }))(u);
    },
  });

  if (user.isPending) return <Loader aria-label={t('app:loading')} />;
  if (user.error || !user.data) {
    return (
      <Page title={t('user.notFound')}>
        <ProblemAlert error={user.error} />
        <Anchor component={Link} to="/admin/users">
          {t('user.back')}
        </Anchor>
      </Page>
    );
  }
  const u = user.data;
  const self = u.id === session?.user.id;

  return (
    <Page
      title={u.displayName}
      description={
        <Anchor component={Link} to="/admin/users">
          {t('user.back')}
        </Anchor>
      }
    >
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Card withBorder padding="lg" component="section" aria-labelledby="summary-title">
        <Stack>
          <Title order={2} size="h3" id="summary-title">
            {t('user.summaryTitle')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" m={0}>
            <Fact label={t('fields.email')}>{u.email}</Fact>
            <Fact label={t('fields.organisation')}>{u.organisationName}</Fact>
            <Fact label={t('users.status')}>
              <StatusText active={u.active} />
            </Fact>
            <Fact label={t('users.authenticator')}>{u.mfaEnabled ? t('users.mfaOn') : t('users.mfaOff')}</Fact>
            <Fact label={t('fields.language')}>{u.locale ? LANGUAGE_NAMES[u.locale] : t('fields.languageUnset')}</Fact>
            <Fact label={t('user.createdAt')}>{formatDate(u.createdAt)}</Fact>
            <Fact label={t('roles.title')}>{u.roles.length ? u.roles.map((g) => grantLabel(t, g, programmes.data?.items)).join('; ') : t('roles.none')}</Fact>
          </SimpleGrid>
          {manage ? (
            <Group>
              {u.active ? (
                <Button color="red.9" variant="outline" onClick={() => setAction('deactivate')} disabled={self}>
                  {t('user.deactivate')}
                </Button>
              ) : (
                <Button variant="outline" onClick={() => setAction('reactivate')}>
                  {t('user.reactivate')}
                </Button>
              )}
              {u.mfaEnabled && !self ? (
                <Button variant="outline" onClick={() => setAction('mfa-reset')}>
                  {t('user.mfaReset')}
                </Button>
              ) : null}
            </Group>
          ) : null}
          {manage && self ? <Text size="sm">{t('user.selfNote')}</Text> : null}
        </Stack>
      </Card>
      {manage ? (
        <>
          <DetailsForm user={u} onSaved={saved(t('user.detailsSaved'))} />
          <RolesForm user={u} onSaved={saved(t('user.rolesSaved'))} />
        </>
      ) : null}
      <ConfirmDialog
        opened={action !== null}
        title={action ? t(`user.confirm.${action}.title`, { name: u.displayName }) : ''}
        confirmLabel={action ? t(`user.confirm.${action}.button`) : ''}
        danger={action !== 'reactivate'}
        busy={run.isPending}
        error={run.error}
        onConfirm={() => action && run.mutate(action)}
        onClose={() => {
          setAction(null);
          run.reset();
        }}
      >
        {action ? t(`user.confirm.${action}.text`, { name: u.displayName }) : ''}
      </ConfirmDialog>
    </Page>
  );
}
