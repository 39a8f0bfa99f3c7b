import { Anchor, Button, Group, Loader, NativeSelect, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { get, queryString } from '../app/api.ts';
import { grantLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import type { Paged, User } from '../app/types.ts';
import { Notice, Page, Pager, ProblemAlert, StatusText } from '../app/ui.tsx';
import { useOrganisations, useProgrammes } from '../organisations/queries.ts';
import { UserFormModal } from './UserFormModal.tsx';

export const PAGE_SIZE = 25;

export function UsersPage() {
  const { t } = useTranslation('identity');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const active = params.get('active') ?? '';
  const organisationId = params.get('organisationId') ?? '';
  const programmeId = params.get('programmeId') ?? '';
  const [q, setQ] = useState(params.get('q') ?? '');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<User | null>(null);

  const setParam = (key: string, value: string, resetPage = true) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (value) n.set(key, value);
        else n.delete(key);
        if (resetPage && key !== 'page') n.delete('page');
        return n;
      },
      { replace: key !== 'page' },
    );

  // biome-ignore lint/correctness/useExhaustiveDependencies: only the debounced text drives the address
  useEffect(() => {
    if ((params.get('q') ?? '') !== debouncedQ.trim()) setParam('q', debouncedQ.trim());
  }, [debouncedQ]);

  const organisations = useOrganisations(can('organisations.read'));
  const programmes = useProgrammes(can('programmes.read'));
  const filter = { page, pageSize: PAGE_SIZE, q: params.get('q') ?? '', active, organisationId, programmeId };
  const users = useQuery({
    queryKey: ['users', filter],
    queryFn: () => get<Paged<User>>(`/api/users${queryString(filter)}`),
    placeholderData: (prev) => prev,
  });

  return (
    <Page
      title={t('users.title')}
      actions={
        can('users.manage') ? (
          <Button
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            {t('users.new')}
          </Button>
        ) : null
      }
    >
      {created ? (
        <Notice onClose={() => setCreated(null)}>
          {t('users.created', { name: created.displayName })}{' '}
          <Anchor component={Link} to={`/admin/users/${created.id}`}>
            {t('users.open')}
          </Anchor>
        </Notice>
      ) : null}
      <Group align="flex-end" wrap="wrap" role="search" aria-label={t('users.filters')}>
        <TextInput label={t('users.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} type="search" w={260} />
        <NativeSelect
          label={t('users.status')}
          value={active}
          onChange={(e) => setParam('active', e.currentTarget.value)}
          data={[
            { value: '', label: t('users.all') },
            { value: 'true', label: t('users.activeOnly') },
            { value: 'false', label: t('users.inactiveOnly') },
          ]}
        />
        {organisations.data ? (
          <NativeSelect
            label={t('fields.organisation')}
            value={organisationId}
            onChange={(e) => setParam('organisationId', e.currentTarget.value)}
            data={[{ value: '', label: t('users.allOrganisations') }, ...organisations.data.items.map((o) => ({ value: o.id, label: o.name }))]}
            w={260}
          />
        ) : null}
        {programmes.data ? (
          <NativeSelect
            label={t('users.programme')}
            value={programmeId}
            onChange={(e) => setParam('programmeId', e.currentTarget.value)}
            data={[{ value: '', label: t('users.allProgrammes') }, ...programmes.data.items.map((p) => ({ value: p.id, label: p.name }))]}
            w={260}
          />
        ) : null}
      </Group>
      <ProblemAlert error={users.error} />
      {users.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {users.data ? (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover verticalSpacing="sm" aria-busy={users.isFetching}>
              <Table.Caption>
                <VisuallyHidden>{t('users.caption', { page, total: users.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('fields.displayName')}</Table.Th>
                  <Table.Th scope="col">{t('fields.email')}</Table.Th>
                  <Table.Th scope="col">{t('fields.organisation')}</Table.Th>
                  <Table.Th scope="col">{t('roles.title')}</Table.Th>
                  <Table.Th scope="col">{t('users.authenticator')}</Table.Th>
                  <Table.Th scope="col">{t('users.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={6}>{t('users.empty')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {users.data.items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/admin/users/${u.id}`} fw={600}>
                        {u.displayName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u.organisationName}</Table.Td>
                    <Table.Td>
                      {u.roles.length ? (
                        <ul className="nav-list">
                          {u.roles.map((g) => (
                            <li key={`${g.role}-${g.programmeId}`}>
                              <Text size="sm">{grantLabel(t, g, programmes.data?.items)}</Text>
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <Text size="sm">{t('roles.none')}</Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{u.mfaEnabled ? t('users.mfaOn') : t('users.mfaOff')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusText active={u.active} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            total={users.data.total}
            onChange={(p) => setParam('page', p === 1 ? '' : String(p), false)}
            label={t('users.pages')}
          />
        </>
      ) : null}
      {creating ? (
        <UserFormModal
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setCreated(u);
          }}
        />
      ) : null}
    </Page>
  );
}
