/**
 * The directory of services people are referred to (`/outreach/services`): the services of the
 * programme's project, active ones first, by kind and name, filtered by kind, municipality served,
 * language and whether active (services.read). A coordinator (services.manage) adds and changes
 * them in a dialog, deactivates one (it stays for the referrals made to it), reactivates it, and
 * deletes one no referral points at.
 */
import { Anchor, Button, Group, Loader, NativeSelect, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, put } from '../app/api.ts';
import { ConfirmDialog, MunicipalitySelect, Notice, Page, Pager, ProblemAlert, StatusText, useDialogFor, useProblem } from '../app/ui.tsx';
import { COMMON_LANGUAGES, languageLabel } from '../referrals/intake.ts';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import {
  NS,
  SERVICE_KINDS,
  type Service,
  type ServiceFilter,
  serviceKindLabel,
  servicesPath,
  useAllows,
  useChangeParams,
  useMunicipalities,
  useServices,
} from './outreach-admin.ts';
import { bodyOf, ServiceForm } from './ServiceForm.tsx';

const PAGE_SIZE = 25;

type Change = { service: Service; to: 'deactivate' | 'reactivate' | 'delete' };

export function ServicesPage() {
  const { t, i18n } = useTranslation(NS);
  const qc = useQueryClient();
  const ctx = useProgrammeContext('services.read');
  const programmeId = ctx.programmeId;
  const manage = useAllows('services.manage', programmeId);
  const [params] = useSearchParams();
  const filter: ServiceFilter = {
    kind: params.get('kind') ?? '',
    nisCode: params.get('nisCode') ?? '',
    language: params.get('language') ?? '',
    active: params.get('active') ?? '',
  };
  const page = Math.max(1, Number(params.get('page')) || 1);
  const services = useServices(programmeId, filter, page, PAGE_SIZE);
  const municipalities = useMunicipalities(programmeId);
  const names = new Map(municipalities.map((m) => [m.nisCode, m.name]));
  const creating = useDialogFor<true>();
  const editing = useDialogFor<Service>();
  const changing = useDialogFor<Change>();
  const problem = useProblem();
  const [notice, setNotice] = useState<string | null>(null);

  const changeParams = useChangeParams();
  const set = (changes: Record<string, string>) =>
    'page' in changes ? changeParams(changes, { replace: false }) : changeParams({ ...changes, page: undefined });

  const change = useMutation({
    mutationFn: async ({ service, to }: Change) => {
      const path = `${servicesPath(programmeId as string)}/${service.id}`;
      if (to === 'delete') return (await api<{ outcome: 'deleted' | 'deactivated' }>('DELETE', path)).outcome;
      await put<Service>(
        path,
        bodyOf({ ...service, phone: service.phone ?? '', email: service.email ?? '', website: service.website ?? '', active: to === 'reactivate' }),
      );
      return to === 'reactivate' ? 'reactivated' : 'deactivated';
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (outcome, { service }) => {
      changing.close();
      setNotice(t(`services.done.${outcome}`, { name: service.name }));
      await qc.invalidateQueries({ queryKey: ['services', programmeId] });
    },
  });

  /** Deactivate, reactivate or delete a service: asked first, in a dialog; reactivating is not a danger. */
  const changeButton = (service: Service, to: Change['to']) => (
    <Button
      size="xs"
      variant={to === 'reactivate' ? 'default' : 'outline'}
      color={to === 'reactivate' ? undefined : 'red.9'}
      onClick={() => {
        problem.clear();
        changing.open({ service, to });
      }}
      aria-label={t(`services.${to}.named`, { name: service.name })}
    >
      {t(`services.${to}.action`)}
    </Button>
  );

  const place = (nis: string) => names.get(nis) ?? nis;
  const c = changing.item;
  return (
    <Page
      title={t('services.title')}
      description={t('services.intro')}
      actions={manage ? <Button onClick={() => creating.open(true)}>{t('services.new')}</Button> : null}
    >
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end" wrap="wrap" role="search" aria-label={t('services.filters')}>
        {ctx.picker}
        {programmeId ? (
          <>
            <NativeSelect
              label={t('services.fields.kind')}
              name="kind"
              value={filter.kind}
              onChange={(e) => set({ kind: e.currentTarget.value })}
              data={[{ value: '', label: t('services.allKinds') }, ...SERVICE_KINDS.map((k) => ({ value: k, label: serviceKindLabel(t, k) }))]}
              w={240}
            />
            {municipalities.length ? (
              <MunicipalitySelect
                label={t('services.municipality')}
                allLabel={t('services.allMunicipalities')}
                municipalities={municipalities}
                value={filter.nisCode}
                onChange={(v) => set({ nisCode: v })}
              />
            ) : null}
            <NativeSelect
              label={t('services.language')}
              name="language"
              value={filter.language}
              onChange={(e) => set({ language: e.currentTarget.value })}
              data={[
                { value: '', label: t('services.allLanguages') },
                ...COMMON_LANGUAGES.map((l) => ({ value: l, label: languageLabel(l, i18n.language, t) })),
              ]}
              w={200}
            />
            <NativeSelect
              label={t('services.activeFilter')}
              name="active"
              value={filter.active}
              onChange={(e) => set({ active: e.currentTarget.value })}
              data={[
                { value: '', label: t('services.activeAll') },
                { value: 'true', label: t('services.activeOnly') },
                { value: 'false', label: t('services.inactiveOnly') },
              ]}
              w={200}
            />
          </>
        ) : null}
      </Group>
      <ProblemAlert error={services.error} />
      {programmeId && services.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {services.data ? (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={980}>
            <Table striped verticalSpacing="sm" aria-busy={services.isFetching} data-testid="services">
              <Table.Caption>
                <VisuallyHidden>{t('services.caption', { page, total: services.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('services.col.name')}</Table.Th>
                  <Table.Th scope="col">{t('services.col.kind')}</Table.Th>
                  <Table.Th scope="col">{t('services.col.municipalities')}</Table.Th>
                  <Table.Th scope="col">{t('services.col.languages')}</Table.Th>
                  <Table.Th scope="col">{t('services.col.contact')}</Table.Th>
                  <Table.Th scope="col">{t('services.col.status')}</Table.Th>
                  {manage ? (
                    <Table.Th scope="col">
                      <VisuallyHidden>{t('services.col.actions')}</VisuallyHidden>
                    </Table.Th>
                  ) : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {services.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={manage ? 7 : 6}>{t('services.empty')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {services.data.items.map((s) => (
                  <Table.Tr key={s.id} data-service={s.name}>
                    <Table.Th scope="row">
                      <Text fw={600} size="sm">
                        {s.name}
                      </Text>
                      {s.organisationName ? (
                        <Text size="xs" c="dimmed">
                          {s.organisationName}
                        </Text>
                      ) : null}
                      {s.description ? (
                        <Text size="xs" style={{ whiteSpace: 'pre-line' }}>
                          {s.description}
                        </Text>
                      ) : null}
                    </Table.Th>
                    <Table.Td>{serviceKindLabel(t, s.kind)}</Table.Td>
                    <Table.Td>{s.nisCodes.length ? s.nisCodes.map(place).join(', ') : t('services.wholeProject')}</Table.Td>
                    <Table.Td>{s.languages.length ? s.languages.map((l) => languageLabel(l, i18n.language, t)).join(', ') : t('services.notStated')}</Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        {s.phone ? <Text size="sm">{s.phone}</Text> : null}
                        {s.email ? (
                          <Anchor size="sm" href={`mailto:${s.email}`}>
                            {s.email}
                          </Anchor>
                        ) : null}
                        {s.website ? (
                          <Anchor size="sm" href={s.website} target="_blank" rel="noopener noreferrer">
                            {s.website.replace(/^https?:\/\//, '')}
                            <VisuallyHidden> {t('services.newWindow')}</VisuallyHidden>
                          </Anchor>
                        ) : null}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      <StatusText active={s.active} />
                      <Text size="xs" c="dimmed">
                        {t('services.referrals', { n: s.referrals })}
                      </Text>
                    </Table.Td>
                    {manage ? (
                      <Table.Td>
                        <Group gap="xs" wrap="wrap" role="group" aria-label={t('services.actions', { name: s.name })}>
                          <Button size="xs" variant="default" onClick={() => editing.open(s)} aria-label={t('services.edit.named', { name: s.name })}>
                            {t('services.edit.action')}
                          </Button>
                          {changeButton(s, s.active ? 'deactivate' : 'reactivate')}
                          {s.referrals === 0 ? changeButton(s, 'delete') : null}
                        </Group>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            total={services.data.total}
            onChange={(p) => set({ page: p > 1 ? String(p) : '' })}
            label={t('services.pages')}
          />
        </Stack>
      ) : null}
      {creating.item && programmeId ? (
        <ServiceForm
          programmeId={programmeId}
          municipalities={municipalities}
          onClose={creating.close}
          onSaved={(s) => {
            creating.close();
            setNotice(t('services.done.created', { name: s.name }));
          }}
        />
      ) : null}
      {editing.item && programmeId ? (
        <ServiceForm
          programmeId={programmeId}
          service={editing.item}
          municipalities={municipalities}
          onClose={editing.close}
          onSaved={(s) => {
            editing.close();
            setNotice(t('services.done.updated', { name: s.name }));
          }}
        />
      ) : null}
      <ConfirmDialog
        opened={!!c}
        title={c ? t(`services.${c.to}.title`, { name: c.service.name }) : ''}
        confirmLabel={c ? t(`services.${c.to}.confirm`) : ''}
        danger={c?.to !== 'reactivate'}
        busy={change.isPending}
        error={problem.error}
        onConfirm={() => c && change.mutate(c)}
        onClose={changing.close}
      >
        {c ? t(`services.${c.to}.text`, { n: c.service.referrals }) : ''}
      </ConfirmDialog>
    </Page>
  );
}
