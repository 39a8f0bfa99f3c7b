/**
 * Assignment (`/outreach/assign`, outreach.manage): who holds what (per caller: assigned, of which
 * due, and claimed now; the open and unassigned totals), and the programme's worklist in the order
 * of work, filtered by holder, municipality and state, pseudonymous. The coordinator ticks
 * contacts (checkboxes, the keyboard's space bar) and gives them to a caller or coordinator of the
 * programme, or takes them back; a claim held by someone else ends.
 */
import { Alert, Button, Card, Checkbox, Group, Loader, NativeSelect, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { roleLabel } from '../app/labels.ts';
import { MunicipalitySelect, Notice, Page, Pager, ProblemAlert, useProblem } from '../app/ui.tsx';
import { languageLabel } from '../referrals/intake.ts';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import {
  type AssignFilter,
  NS,
  useAssignList,
  useChangeParams,
  useHolders,
  useMunicipalities,
  useWorkers,
  WORK_STATES,
  type WorklistItem,
  worklistPath,
} from './outreach-admin.ts';

const PAGE_SIZE = 50;

function HoldersSummary({ programmeId }: { programmeId: string }) {
  const { t } = useTranslation(NS);
  const holders = useHolders(programmeId);
  if (holders.isPending) return <Loader size="sm" aria-label={t('app:loading')} />;
  if (holders.isError) return <ProblemAlert error={holders.error} />;
  const h = holders.data;
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl" m={0} spacing="sm">
        {(
          [
            ['open', h.open],
            ['unassigned', h.unassigned],
            ['unassignedDue', h.unassignedDue],
          ] as const
        ).map(([k, n]) => (
          <Card key={k} withBorder padding="sm">
            <Text size="sm" c="dimmed" component="dt">
              {t(`assign.totals.${k}`)}
            </Text>
            <Text component="dd" m={0} fw={700} size="xl" data-testid={`total-${k}`}>
              {n}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={600}>
        <Table striped verticalSpacing="xs" data-testid="holders">
          <Table.Caption>
            <VisuallyHidden>{t('assign.holdersCaption')}</VisuallyHidden>
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('assign.col.holder')}</Table.Th>
              <Table.Th scope="col">{t('assign.col.roles')}</Table.Th>
              <Table.Th scope="col" ta="right">
                {t('assign.col.assigned')}
              </Table.Th>
              <Table.Th scope="col" ta="right">
                {t('assign.col.assignedDue')}
              </Table.Th>
              <Table.Th scope="col" ta="right">
                {t('assign.col.leased')}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {h.holders.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={5}>{t('assign.noHolders')}</Table.Td>
              </Table.Tr>
            ) : null}
            {h.holders.map((x) => (
              <Table.Tr key={x.userId} data-holder={x.displayName}>
                <Table.Th scope="row">{x.displayName}</Table.Th>
                <Table.Td>{x.roles.length ? x.roles.map((r) => roleLabel(t, r)).join(', ') : t('assign.noLongerWorker')}</Table.Td>
                <Table.Td ta="right" data-testid="assigned">
                  {x.assigned}
                </Table.Td>
                <Table.Td ta="right">{x.assignedDue}</Table.Td>
                <Table.Td ta="right">{x.leased}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function AssignPage() {
  const { t, i18n } = useTranslation(NS);
  const qc = useQueryClient();
  const ctx = useProgrammeContext('outreach.manage');
  const programmeId = ctx.programmeId;
  const [params] = useSearchParams();
  const filter: AssignFilter = { holder: params.get('holder') ?? 'all', nisCode: params.get('nisCode') ?? '', status: params.get('status') ?? '' };
  const page = Math.max(1, Number(params.get('page')) || 1);
  const list = useAssignList(programmeId, filter, page, PAGE_SIZE);
  const holders = useHolders(programmeId);
  const { workers, error: workersError } = useWorkers(programmeId);
  const municipalities = useMunicipalities(programmeId);
  const [selected, setSelected] = useState<Map<string, WorklistItem>>(new Map());
  const [to, setTo] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const problem = useProblem();

  const change = useChangeParams();
  const set = (changes: Record<string, string>) => {
    // Another filter shows other contacts: what was ticked is let go. Another page keeps it.
    if ('page' in changes) return change(changes, { replace: false });
    setSelected(new Map());
    change({ ...changes, page: undefined });
  };

  const assign = useMutation({
    mutationFn: ({ callerId }: { callerId: string | null }) =>
      post<{ assigned: number }>(`${worklistPath(programmeId as string)}/assign`, { contactIds: [...selected.keys()], callerId }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async ({ assigned }, { callerId }) => {
      const name = workers.find((w) => w.userId === callerId)?.displayName ?? '';
      setNotice(callerId ? t('assign.done', { n: assigned, name }) : t('assign.doneUnassigned', { n: assigned }));
      setSelected(new Map());
      await qc.invalidateQueries({ queryKey: ['worklist', programmeId] });
    },
  });

  const items = list.data?.items ?? [];
  const allOnPage = items.length > 0 && items.every((i) => selected.has(i.id));
  const someOnPage = items.some((i) => selected.has(i.id));
  const toggle = (item: WorklistItem, on: boolean) =>
    setSelected((prev) => {
      const n = new Map(prev);
      if (on) n.set(item.id, item);
      else n.delete(item.id);
      return n;
    });
  const toggleAll = (on: boolean) =>
    setSelected((prev) => {
      const n = new Map(prev);
      for (const i of items) {
        if (on) n.set(i.id, i);
        else n.delete(i.id);
      }
      return n;
    });
  // Problems of single contacts (contactIds.3): said with the contact's reference.
  const sentIds = [...selected.keys()];
  const contactProblems = Object.entries(problem.fields)
    .filter(([k]) => k.startsWith('contactIds.'))
    .map(([k, m]) => `${selected.get(sentIds[Number(k.split('.')[1])] ?? '')?.ref ?? k}: ${m}`);
  const holderOptions = [
    { value: 'all', label: t('assign.holder.all') },
    { value: 'unassigned', label: t('assign.holder.unassigned') },
    ...(holders.data?.holders ?? []).map((h) => ({ value: h.userId, label: h.displayName })),
  ];

  return (
    <Page title={t('assign.title')} description={t('assign.intro')}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end">{ctx.picker}</Group>
      {programmeId ? (
        <>
          <Stack gap="xs" component="section" aria-labelledby="holders-title">
            <Title order={2} size="h3" id="holders-title">
              {t('assign.holdersTitle')}
            </Title>
            <HoldersSummary programmeId={programmeId} />
          </Stack>
          <Stack gap="sm" component="section" aria-labelledby="worklist-title">
            <Title order={2} size="h3" id="worklist-title">
              {t('assign.worklistTitle')}
            </Title>
            <Group align="flex-end" wrap="wrap" role="search" aria-label={t('assign.filters')}>
              <NativeSelect
                label={t('assign.holder.label')}
                name="holder"
                value={filter.holder}
                onChange={(e) => set({ holder: e.currentTarget.value === 'all' ? '' : e.currentTarget.value })}
                data={holderOptions}
                w={240}
              />
              {municipalities.length ? (
                <MunicipalitySelect
                  label={t('assign.municipality')}
                  allLabel={t('assign.allMunicipalities')}
                  municipalities={municipalities}
                  value={filter.nisCode}
                  onChange={(v) => set({ nisCode: v })}
                />
              ) : null}
              <NativeSelect
                label={t('assign.state.label')}
                name="status"
                value={filter.status}
                onChange={(e) => set({ status: e.currentTarget.value })}
                data={[{ value: '', label: t('assign.state.all') }, ...WORK_STATES.map((s) => ({ value: s, label: t(`assign.state.${s}`) }))]}
                w={240}
              />
            </Group>
            <Card withBorder padding="sm" component="form" aria-label={t('assign.actionsLabel')} onSubmit={(e) => e.preventDefault()}>
              <Group align="flex-end" wrap="wrap">
                <Text size="sm" fw={600} aria-live="polite" data-testid="selected-count">
                  {t('assign.selected', { n: selected.size })}
                </Text>
                <NativeSelect
                  label={t('assign.to')}
                  name="callerId"
                  value={to}
                  onChange={(e) => setTo(e.currentTarget.value)}
                  data={[
                    { value: '', label: t('assign.chooseCaller') },
                    ...workers.map((w) => ({ value: w.userId, label: `${w.displayName} (${w.roles.map((r) => roleLabel(t, r)).join(', ')})` })),
                  ]}
                  error={problem.fields.callerId}
                  w={320}
                />
                <Button
                  type="submit"
                  disabled={!selected.size || !to}
                  loading={assign.isPending && !!assign.variables?.callerId}
                  onClick={() => assign.mutate({ callerId: to })}
                >
                  {t('assign.assign')}
                </Button>
                <Button
                  variant="default"
                  disabled={!selected.size}
                  loading={assign.isPending && assign.variables?.callerId === null}
                  onClick={() => assign.mutate({ callerId: null })}
                >
                  {t('assign.unassign')}
                </Button>
              </Group>
              {selected.size && !to ? (
                <Text size="xs" c="dimmed" mt={4}>
                  {t('assign.chooseFirst')}
                </Text>
              ) : null}
            </Card>
            <ProblemAlert error={workersError} />
            {problem.error && !problem.fields.callerId ? <ProblemAlert error={problem.error} /> : null}
            {contactProblems.length ? (
              <Alert color="red" variant="light">
                <Stack gap={2} component="ul" className="nav-list">
                  {contactProblems.map((p) => (
                    <Text key={p} size="sm" component="li">
                      {p}
                    </Text>
                  ))}
                </Stack>
              </Alert>
            ) : null}
            <ProblemAlert error={list.error} />
            {list.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
            {list.data ? (
              <>
                <Table.ScrollContainer minWidth={960}>
                  <Table striped verticalSpacing="xs" aria-busy={list.isFetching} data-testid="assign-list">
                    <Table.Caption>
                      <VisuallyHidden>{t('assign.caption', { page, total: list.data.total })}</VisuallyHidden>
                    </Table.Caption>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col" w={40}>
                          <Checkbox
                            aria-label={t('assign.selectPage')}
                            checked={allOnPage}
                            indeterminate={someOnPage && !allOnPage}
                            onChange={(e) => toggleAll(e.currentTarget.checked)}
                          />
                        </Table.Th>
                        <Table.Th scope="col">{t('assign.col.contact')}</Table.Th>
                        <Table.Th scope="col">{t('assign.col.municipality')}</Table.Th>
                        <Table.Th scope="col">{t('assign.col.language')}</Table.Th>
                        <Table.Th scope="col">{t('assign.col.state')}</Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('assign.col.attempts')}
                        </Table.Th>
                        <Table.Th scope="col">{t('assign.col.assignedTo')}</Table.Th>
                        <Table.Th scope="col">{t('assign.col.claimedBy')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {items.length === 0 ? (
                        <Table.Tr>
                          <Table.Td colSpan={8}>{t('assign.empty')}</Table.Td>
                        </Table.Tr>
                      ) : null}
                      {items.map((i) => (
                        <Table.Tr key={i.id} data-contact={i.ref} bg={selected.has(i.id) ? 'var(--mantine-color-blue-0)' : undefined}>
                          <Table.Td>
                            <Checkbox
                              aria-label={t('assign.select', { ref: i.ref })}
                              checked={selected.has(i.id)}
                              onChange={(e) => toggle(i, e.currentTarget.checked)}
                              name="contactIds"
                              value={i.id}
                            />
                          </Table.Td>
                          <Table.Th scope="row">
                            <Text size="sm" className="mono" fw={600}>
                              {i.ref}
                            </Text>
                            <Text size="xs" c="dimmed">
                              {t('assign.received', { at: formatDate(i.receivedAt) })}
                            </Text>
                          </Table.Th>
                          <Table.Td>{i.municipality ?? t('unknown')}</Table.Td>
                          <Table.Td>{languageLabel(i.language, i18n.language, t)}</Table.Td>
                          <Table.Td>
                            <Text size="sm">{t(`assign.state.${i.state}`)}</Text>
                            {i.state === 'follow_up' && i.followUpAt ? (
                              <Text size="xs" c="dimmed">
                                {formatDateTime(i.followUpAt)}
                              </Text>
                            ) : i.nextDueAt ? (
                              <Text size="xs" c="dimmed">
                                {t('assign.dueFrom', { at: formatDateTime(i.nextDueAt) })}
                              </Text>
                            ) : null}
                            {i.hasPhone ? null : (
                              <Text size="xs" fw={700} c="red.9">
                                {t('assign.noPhone')}
                              </Text>
                            )}
                          </Table.Td>
                          <Table.Td ta="right">{i.attemptCount}</Table.Td>
                          <Table.Td data-testid="assigned-to">{i.assignedTo?.displayName ?? t('assign.nobody')}</Table.Td>
                          <Table.Td>
                            {i.leasedBy && i.leaseUntil && new Date(i.leaseUntil) > new Date()
                              ? t('assign.claimedUntil', { name: i.leasedBy.displayName, at: formatDateTime(i.leaseUntil) })
                              : '—'}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Pager
                  page={page}
                  pageSize={PAGE_SIZE}
                  total={list.data.total}
                  onChange={(p) => set({ page: p > 1 ? String(p) : '' })}
                  label={t('assign.pages')}
                />
              </>
            ) : null}
          </Stack>
        </>
      ) : null}
    </Page>
  );
}
