import { Button, Group, Loader, NativeSelect, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../app/api.ts';
import { organisationKindLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import { ORGANISATION_KINDS, type Organisation, type OrganisationKind } from '../app/types.ts';
import { ConfirmDialog, FormDialog, Notice, Page, ProblemAlert, StatusText, useProblem } from '../app/ui.tsx';
import { useOrganisations } from './queries.ts';

function OrganisationForm({ organisation, onClose, onSaved }: { organisation: Organisation | null; onClose: () => void; onSaved: (o: Organisation) => void }) {
  const { t } = useTranslation('organisations');
  const qc = useQueryClient();
  const { session, refresh } = useSession();
  const [form, setForm] = useState({
    name: organisation?.name ?? '',
    kind: (organisation?.kind ?? 'city') as OrganisationKind,
    nisCode: organisation?.nisCode ?? '',
  });
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => {
      const body = { name: form.name, kind: form.kind, nisCode: form.nisCode.trim() || null };
      return organisation ? patch<Organisation>(`/api/organisations/${organisation.id}`, body) : post<Organisation>('/api/organisations', body);
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (o) => {
      await qc.invalidateQueries({ queryKey: ['organisations'] });
      // The header and the profile name the user's own organisation: show its new name there too.
      if (o.id === session?.user.organisationId) await refresh();
      onSaved(o);
    },
  });
  const submit = () => {
    save.mutate();
  };
  const title = organisation ? t('form.editTitle', { name: organisation.name }) : t('form.newTitle');
  return (
    <FormDialog title={title} size="lg" error={problem.error} busy={save.isPending} onSubmit={submit} onClose={onClose}>
      <TextInput
        label={t('fields.name')}
        name="name"
        required
        value={form.name}
        onChange={(e) => {
          const v = e.currentTarget.value;
          setForm((f) => ({ ...f, name: v }));
        }}
        error={problem.fields.name}
        data-autofocus
      />
      <NativeSelect
        label={t('fields.kind')}
        name="kind"
        value={form.kind}
        onChange={(e) => {
          const v = e.currentTarget.value as OrganisationKind;
          setForm((f) => ({ ...f, kind: v }));
        }}
        data={ORGANISATION_KINDS.map((k) => ({ value: k, label: organisationKindLabel(t, k) }))}
        error={problem.fields.kind}
      />
      <TextInput
        label={t('fields.nisCode')}
        description={t('fields.nisHint')}
        name="nisCode"
        inputMode="numeric"
        maxLength={5}
        value={form.nisCode}
        onChange={(e) => {
          const v = e.currentTarget.value;
          setForm((f) => ({ ...f, nisCode: v }));
        }}
        error={problem.fields.nisCode}
      />
    </FormDialog>
  );
}

export function OrganisationsPage() {
  const { t } = useTranslation('organisations');
  const { can } = useSession();
  const qc = useQueryClient();
  const organisations = useOrganisations();
  const [editing, setEditing] = useState<Organisation | 'new' | null>(null);
  const [toggling, setToggling] = useState<Organisation | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const manage = can('organisations.manage');

  const toggle = useMutation({
    mutationFn: (o: Organisation) => patch<Organisation>(`/api/organisations/${o.id}`, { active: !o.active }),
    onSuccess: async (o) => {
      setToggling(null);
      setNotice(o.active ? t('done.activated', { name: o.name }) : t('done.deactivated', { name: o.name }));
      await qc.invalidateQueries({ queryKey: ['organisations'] });
    },
  });

  return (
    <Page title={t('title')} description={t('intro')} actions={manage ? <Button onClick={() => setEditing('new')}>{t('new')}</Button> : null}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <ProblemAlert error={organisations.error} />
      {organisations.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {organisations.data ? (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover verticalSpacing="sm">
            <Table.Caption>
              <VisuallyHidden>{t('caption', { n: organisations.data.items.length })}</VisuallyHidden>
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('fields.name')}</Table.Th>
                <Table.Th scope="col">{t('fields.kind')}</Table.Th>
                <Table.Th scope="col">{t('fields.nisCode')}</Table.Th>
                <Table.Th scope="col">{t('users')}</Table.Th>
                <Table.Th scope="col">{t('status')}</Table.Th>
                {manage ? (
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('actions')}</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {organisations.data.items.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={manage ? 6 : 5}>{t('empty')}</Table.Td>
                </Table.Tr>
              ) : null}
              {organisations.data.items.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Th scope="row" fw={600}>
                    {o.name}
                  </Table.Th>
                  <Table.Td>{organisationKindLabel(t, o.kind)}</Table.Td>
                  <Table.Td>{o.nisCode ?? '—'}</Table.Td>
                  <Table.Td>{o.userCount}</Table.Td>
                  <Table.Td>
                    <StatusText active={o.active} />
                  </Table.Td>
                  {manage ? (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap" justify="flex-end">
                        <Button size="xs" variant="default" onClick={() => setEditing(o)} aria-label={t('editNamed', { name: o.name })}>
                          {t('edit')}
                        </Button>
                        <Button
                          size="xs"
                          variant="outline"
                          color={o.active ? 'red.9' : undefined}
                          onClick={() => setToggling(o)}
                          aria-label={o.active ? t('deactivateNamed', { name: o.name }) : t('activateNamed', { name: o.name })}
                        >
                          {o.active ? t('deactivate') : t('activate')}
                        </Button>
                      </Group>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <Text size="sm">{t('note')}</Text>
      {editing ? (
        <OrganisationForm
          organisation={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(o) => {
            setNotice(editing === 'new' ? t('done.created', { name: o.name }) : t('done.saved', { name: o.name }));
            setEditing(null);
          }}
        />
      ) : null}
      <ConfirmDialog
        opened={!!toggling}
        title={toggling ? (toggling.active ? t('confirm.deactivateTitle', { name: toggling.name }) : t('confirm.activateTitle', { name: toggling.name })) : ''}
        confirmLabel={toggling?.active ? t('deactivate') : t('activate')}
        danger={!!toggling?.active}
        busy={toggle.isPending}
        error={toggle.error}
        onConfirm={() => toggling && toggle.mutate(toggling)}
        onClose={() => {
          setToggling(null);
          toggle.reset();
        }}
      >
        {toggling?.active ? t('confirm.deactivateText') : t('confirm.activateText')}
      </ConfirmDialog>
    </Page>
  );
}
