import { Alert, Button, Code, Group, Loader, Modal, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { get, queryString } from '../app/api.ts';
import { roleLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import type { AuditEvent, AuditVerification, Outcome, Paged } from '../app/types.ts';
import { DateField, Page, Pager, ProblemAlert } from '../app/ui.tsx';
import { ActorPicker } from './ActorPicker.tsx';

const PAGE_SIZE = 25;
const OUTCOMES: Outcome[] = ['success', 'failure', 'denied'];
const ACTION_PREFIXES = ['auth.', 'setup.', 'user.', 'organisation.', 'project.', 'programme.', 'audit.', 'access.'];
const FILTERS = ['from', 'to', 'action', 'outcome', 'actorUserId'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** Outcome in words with a sign, so that colour is never the only carrier. */
function OutcomeText({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation('audit');
  const sign = outcome === 'success' ? '✓' : outcome === 'failure' ? '✗' : '⊘';
  return (
    <Text size="sm" c={outcome === 'success' ? 'teal.9' : 'red.9'} fw={outcome === 'success' ? 400 : 600} className="nowrap">
      <span aria-hidden="true">{sign} </span>
      {t(`outcome.${outcome}`)}
    </Text>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="sm" fw={600} component="dt">
        {label}
      </Text>
      <Text component="dd" m={0} style={{ wordBreak: 'break-all' }}>
        {children ?? '—'}
      </Text>
    </div>
  );
}

/** Who did it: a person, Haven itself (a system task), or nobody signed in yet (a failed sign-in). */
function actorOf(t: TFunction, e: AuditEvent): string {
  if (e.actorName) return e.actorName;
  if (e.actorUserId) return e.actorUserId.slice(0, 8);
  return e.actorRole ? t('system') : t('anonymous');
}

const recordTypeLabel = (t: TFunction, type: string) => t(`recordType.${type}`, { defaultValue: type });

/** A value of the details, in words where it is simple and as indented JSON where it is not. */
function DetailValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return <span className="mono">{String(value)}</span>;
  return (
    <Code block className="json">
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

function EventDetail({ event, onClose }: { event: AuditEvent; onClose: () => void }) {
  const { t } = useTranslation('audit');
  const details = Object.entries(event.details ?? {}).filter(([, v]) => v !== undefined);
  return (
    <Modal opened onClose={onClose} title={t('detail.title', { seq: event.seq })} size="xl" closeButtonProps={{ 'aria-label': t('app:action.close') }}>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} component="dl" m={0} spacing="sm">
          <Fact label={t('columns.at')}>{formatDateTime(event.at)}</Fact>
          <Fact label={t('columns.action')}>
            <span className="mono">{event.action}</span>
          </Fact>
          <Fact label={t('columns.outcome')}>
            <OutcomeText outcome={event.outcome} />
          </Fact>
          <Fact label={t('columns.actor')}>{actorOf(t, event)}</Fact>
          <Fact label={t('detail.role')}>{event.actorRole ? roleLabel(t, event.actorRole) : null}</Fact>
          <Fact label={t('columns.record')}>{event.recordType ? `${recordTypeLabel(t, event.recordType)} ${event.recordId ?? ''}` : null}</Fact>
          <Fact label={t('detail.programme')}>{event.programmeId}</Fact>
          <Fact label={t('detail.purpose')}>{event.purpose}</Fact>
          <Fact label={t('detail.ip')}>{event.ip}</Fact>
          <Fact label={t('detail.requestId')}>{event.requestId}</Fact>
        </SimpleGrid>
        <Stack gap={4}>
          <Text fw={600}>{t('detail.details')}</Text>
          {details.length ? (
            <Table withTableBorder verticalSpacing={6} data-testid="event-details">
              <Table.Tbody>
                {details.map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Th scope="row" w="30%" className="mono">
                      {k}
                    </Table.Th>
                    <Table.Td>
                      <DetailValue value={v} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm">{t('detail.noDetails')}</Text>
          )}
        </Stack>
        <Group justify="flex-end">
          <Button onClick={onClose}>{t('app:action.close')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function VerifyChain() {
  const { t } = useTranslation('audit');
  const qc = useQueryClient();
  const verify = useMutation({
    mutationFn: () => get<AuditVerification>('/api/audit/verify'),
    // the check is itself written to the trail: show it
    onSettled: () => qc.invalidateQueries({ queryKey: ['audit'] }),
  });
  const r = verify.data;
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" onClick={() => verify.mutate()} loading={verify.isPending}>
          {t('verify.button')}
        </Button>
      </Group>
      <div aria-live="polite">
        <ProblemAlert error={verify.error} />
        {r && !verify.isPending ? (
          r.ok ? (
            <Alert color="teal" variant="light" title={t('verify.okTitle')} data-testid="verify-result">
              {t('verify.okText', { checked: r.checked, last: r.lastSeq })}
            </Alert>
          ) : (
            <Alert color="red" variant="light" title={t('verify.brokenTitle')} data-testid="verify-result" role="alert">
              {t('verify.brokenText', { seq: r.broken?.seq ?? '?', reason: r.broken?.reason ?? '', checked: r.checked })}
            </Alert>
          )
        ) : null}
      </div>
    </Stack>
  );
}

export function AuditPage() {
  const { t } = useTranslation('audit');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const applied = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(applied);
  const [dates, setDates] = useState<{ from: string | null; to: string | null }>({ from: applied.from, to: applied.to });
  const [open, setOpen] = useState<AuditEvent | null>(null);

  const query = { ...applied, page, pageSize: PAGE_SIZE };
  const events = useQuery({
    queryKey: ['audit', query],
    queryFn: () => get<Paged<AuditEvent>>(`/api/audit${queryString(query)}`),
    placeholderData: (prev) => prev,
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (dates.from === null || dates.to === null) return;
    const next = new URLSearchParams();
    for (const k of FILTERS) {
      const v = k === 'from' || k === 'to' ? (dates[k] ?? '') : draft[k].trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  };
  const reset = () => {
    setDraft({ from: '', to: '', action: '', outcome: '', actorUserId: '' });
    setDates({ from: '', to: '' });
    setParams(new URLSearchParams());
  };
  const setPage = (p: number) =>
    setParams((prev) => {
      const n = new URLSearchParams(prev);
      if (p > 1) n.set('page', String(p));
      else n.delete('page');
      return n;
    });

  return (
    <Page title={t('title')} description={t('intro')}>
      <VerifyChain />
      <search aria-label={t('filters.label')}>
        <form onSubmit={apply} noValidate>
          <Group align="flex-start" wrap="wrap" gap="sm">
            <DateField label={t('filters.from')} name="from" value={dates.from} onChange={(v) => setDates((d) => ({ ...d, from: v }))} w={170} />
            <DateField label={t('filters.to')} name="to" value={dates.to} onChange={(v) => setDates((d) => ({ ...d, to: v }))} w={170} />
            <TextInput
              label={t('filters.action')}
              description={t('filters.actionHint')}
              name="action"
              value={draft.action}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setDraft((d) => ({ ...d, action: v }));
              }}
              list="audit-action-prefixes"
              autoComplete="off"
              w={200}
            />
            <datalist id="audit-action-prefixes">
              {ACTION_PREFIXES.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <NativeSelect
              label={t('filters.outcome')}
              name="outcome"
              value={draft.outcome}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setDraft((d) => ({ ...d, outcome: v }));
              }}
              data={[{ value: '', label: t('filters.all') }, ...OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))]}
              w={150}
            />
            {can('users.read') ? <ActorPicker value={draft.actorUserId} onChange={(v) => setDraft((d) => ({ ...d, actorUserId: v }))} w={260} /> : null}
            <Group gap="xs" mt={25}>
              <Button type="submit">{t('filters.apply')}</Button>
              <Button variant="default" onClick={reset}>
                {t('filters.reset')}
              </Button>
            </Group>
          </Group>
        </form>
      </search>
      <ProblemAlert error={events.error} />
      {events.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {events.data ? (
        <>
          <Table.ScrollContainer minWidth={860}>
            <Table striped highlightOnHover verticalSpacing="xs" aria-busy={events.isFetching}>
              <Table.Caption>
                <VisuallyHidden>{t('caption', { page, total: events.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">#</Table.Th>
                  <Table.Th scope="col">{t('columns.at')}</Table.Th>
                  <Table.Th scope="col">{t('columns.actor')}</Table.Th>
                  <Table.Th scope="col">{t('columns.action')}</Table.Th>
                  <Table.Th scope="col">{t('columns.record')}</Table.Th>
                  <Table.Th scope="col">{t('columns.outcome')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('columns.detail')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={7}>{t('empty')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {events.data.items.map((e) => (
                  <Table.Tr key={e.seq} data-action={e.action}>
                    <Table.Td>{e.seq}</Table.Td>
                    <Table.Td className="nowrap">{formatDateTime(e.at)}</Table.Td>
                    <Table.Td>
                      {actorOf(t, e)}
                      {e.actorRole ? (
                        <Text size="xs" c="dimmed">
                          {roleLabel(t, e.actorRole)}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td className="mono">{e.action}</Table.Td>
                    <Table.Td>{e.recordType ? recordTypeLabel(t, e.recordType) : '—'}</Table.Td>
                    <Table.Td>
                      <OutcomeText outcome={e.outcome} />
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => setOpen(e)} aria-label={t('detail.open', { seq: e.seq })}>
                        {t('detail.button')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={PAGE_SIZE} total={events.data.total} onChange={setPage} label={t('pages')} />
        </>
      ) : null}
      {open ? <EventDetail event={open} onClose={() => setOpen(null)} /> : null}
    </Page>
  );
}
