/**
 * The escalations of a programme (`/outreach/escalations`, escalations.read): open ones first,
 * newest first, asked again every minute so that a new one shows at once. Each says how urgent
 * it is and to whom it goes, in words, why, and which contact and dossier (a link to the dossier's
 * page); the caller's note is read on request (that read is audited); the coordinator
 * acknowledges it once handed on, after a confirmation.
 */
import { Alert, Anchor, Badge, Button, Group, Loader, Modal, NativeSelect, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { get, post } from '../app/api.ts';
import { ConfirmDialog, Notice, Page, Pager, ProblemAlert, useDialogFor, useProblem } from '../app/ui.tsx';
import { ColourBadge } from '../referrals/IntakeBits.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import {
  type Escalation,
  type EscalationState,
  escalationsPath,
  NS,
  refOf,
  type Urgency,
  useAllows,
  useChangeParams,
  useEscalations,
} from './outreach-admin.ts';

const PAGE_SIZE = 25;
const STATES: EscalationState[] = ['all', 'open', 'acknowledged'];

/** Dark enough for small text on white; the urgency is always written. */
const URGENCY_COLOUR: Record<Urgency, string> = { immediate: 'red.9', today: '#a33a0b', this_week: 'blue.9' };

export function UrgencyBadge({ urgency }: { urgency: Urgency }) {
  const { t } = useTranslation(NS);
  return (
    <Badge color={URGENCY_COLOUR[urgency]} variant={urgency === 'immediate' ? 'filled' : 'outline'} size="md" className="nowrap" data-urgency={urgency}>
      {t(`urgency.${urgency}`)}
    </Badge>
  );
}

export const recipientLabel = (t: TFunction, r: string) => t(`${NS}:recipient.${r}`, { defaultValue: r });
export const reasonLabel = (t: TFunction, r: string) => t(`${NS}:reason.${r}`, { defaultValue: r });

/** The caller's note, shown only once asked for: the read is recorded in the audit trail. */
function NoteDialog({ programmeId, escalation, onClose }: { programmeId: string; escalation: Escalation; onClose: () => void }) {
  const { t } = useTranslation(NS);
  const problem = useProblem();
  const ref = refOf('C', escalation.contactId);
  const read = useMutation({
    mutationFn: () => get<Escalation & { note: string | null }>(`${escalationsPath(programmeId)}/${escalation.id}`),
    onMutate: () => problem.clear(),
    onError: problem.setError,
  });
  return (
    <Modal opened onClose={onClose} title={t('escalations.note.title', { ref })} size="lg" closeButtonProps={{ 'aria-label': t('app:action.close') }}>
      <Stack>
        <ProblemAlert error={problem.error} />
        {read.data ? (
          <>
            <Alert color="blue" variant="light" role="status">
              {t('escalations.note.recorded')}
            </Alert>
            <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="escalation-note">
              {read.data.note ?? t('escalations.note.none')}
            </Text>
            <Group justify="flex-end">
              <Button onClick={onClose} data-autofocus>
                {t('escalations.note.hide')}
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Text>{t('escalations.note.why')}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('app:action.cancel')}
              </Button>
              <Button onClick={() => read.mutate()} loading={read.isPending} data-autofocus>
                {t('escalations.note.show')}
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}

export function EscalationsPage() {
  const { t } = useTranslation(NS);
  const qc = useQueryClient();
  const ctx = useProgrammeContext('escalations.read');
  const programmeId = ctx.programmeId;
  const canDossiers = useAllows('dossiers.read', programmeId);
  const [params] = useSearchParams();
  const wanted = params.get('state') as EscalationState | null;
  const state: EscalationState = wanted && STATES.includes(wanted) ? wanted : 'all';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const list = useEscalations(programmeId, state, page, PAGE_SIZE);
  const acknowledging = useDialogFor<Escalation>();
  const noting = useDialogFor<Escalation>();
  const problem = useProblem();
  const [notice, setNotice] = useState<string | null>(null);

  const change = useChangeParams();
  const set = (changes: Record<string, string>) => change(changes, { replace: !('page' in changes) || 'state' in changes });

  const acknowledge = useMutation({
    mutationFn: (e: Escalation) => post<Escalation>(`${escalationsPath(programmeId as string)}/${e.id}/acknowledge`),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (e) => {
      acknowledging.close();
      setNotice(t('escalations.acknowledge.done', { ref: refOf('C', e.contactId) }));
      await qc.invalidateQueries({ queryKey: ['escalations', programmeId] });
    },
  });

  const target = acknowledging.item;
  return (
    <Page title={t('escalations.title')} description={t('escalations.intro')}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end" wrap="wrap" role="search" aria-label={t('escalations.filters')}>
        {ctx.picker}
        {programmeId ? (
          <NativeSelect
            label={t('escalations.show')}
            name="state"
            value={state}
            onChange={(e) => set({ state: e.currentTarget.value === 'all' ? '' : e.currentTarget.value, page: '' })}
            data={STATES.map((s) => ({ value: s, label: t(`escalations.state.${s}`) }))}
            w={260}
          />
        ) : null}
      </Group>
      <ProblemAlert error={list.error} />
      {programmeId && list.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {list.data ? (
        <Stack gap="sm">
          <Text fw={600} aria-live="polite" data-testid="open-escalations">
            {t('escalations.openCount', { n: list.data.open })}
          </Text>
          <Table.ScrollContainer minWidth={980}>
            <Table striped verticalSpacing="sm" aria-busy={list.isFetching} data-testid="escalations">
              <Table.Caption>
                <VisuallyHidden>{t('escalations.caption', { state: t(`escalations.state.${state}`), page, total: list.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('escalations.col.contact')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.raised')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.urgency')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.recipient')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.reasons')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.dossier')}</Table.Th>
                  <Table.Th scope="col">{t('escalations.col.status')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('escalations.col.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={8}>{t(`escalations.empty.${state}`)}</Table.Td>
                  </Table.Tr>
                ) : null}
                {list.data.items.map((e) => {
                  const ref = refOf('C', e.contactId);
                  const open = e.acknowledgedAt === null;
                  return (
                    <Table.Tr key={e.id} data-escalation={ref} data-state={open ? 'open' : 'acknowledged'}>
                      <Table.Th scope="row" className="mono nowrap">
                        {ref}
                      </Table.Th>
                      <Table.Td className="nowrap">{formatDateTime(e.raisedAt)}</Table.Td>
                      <Table.Td>
                        <UrgencyBadge urgency={e.urgency} />
                      </Table.Td>
                      <Table.Td>{recipientLabel(t, e.recipient)}</Table.Td>
                      <Table.Td>
                        <Stack gap={0} component="ul" className="nav-list">
                          {e.reasons.map((r) => (
                            <Text key={r} size="sm" component="li">
                              {reasonLabel(t, r)}
                            </Text>
                          ))}
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={4} align="flex-start" miw={110}>
                          {canDossiers ? (
                            <Anchor
                              component={Link}
                              to={`/referrals/dossiers/${e.dossierId}${ctx.search}`}
                              className="mono"
                              aria-label={t('escalations.dossierLink', { ref: refOf('D', e.dossierId) })}
                            >
                              {refOf('D', e.dossierId)}
                            </Anchor>
                          ) : (
                            <Text size="sm" className="mono">
                              {refOf('D', e.dossierId)}
                            </Text>
                          )}
                          <ColourBadge colour={e.colour} />
                          {e.municipality ? <Text size="sm">{e.municipality}</Text> : null}
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={open ? 700 : 400}>
                          {open ? t('escalations.open') : t('escalations.acknowledgedOn', { at: formatDateTime(e.acknowledgedAt as string) })}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="wrap">
                          {e.hasNote ? (
                            <Button size="xs" variant="default" onClick={() => noting.open(e)} aria-label={t('escalations.note.named', { ref })}>
                              {t('escalations.note.action')}
                            </Button>
                          ) : null}
                          {open ? (
                            <Button
                              size="xs"
                              onClick={() => {
                                problem.clear();
                                acknowledging.open(e);
                              }}
                              aria-label={t('escalations.acknowledge.named', { ref })}
                            >
                              {t('escalations.acknowledge.action')}
                            </Button>
                          ) : null}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            total={list.data.total}
            onChange={(p) => set({ page: p > 1 ? String(p) : '' })}
            label={t('escalations.pages')}
          />
        </Stack>
      ) : null}
      {noting.item && programmeId ? <NoteDialog programmeId={programmeId} escalation={noting.item} onClose={noting.close} /> : null}
      <ConfirmDialog
        opened={!!target}
        title={target ? t('escalations.acknowledge.title', { ref: refOf('C', target.contactId) }) : ''}
        confirmLabel={t('escalations.acknowledge.confirm')}
        busy={acknowledge.isPending}
        error={problem.error}
        onConfirm={() => target && acknowledge.mutate(target)}
        onClose={acknowledging.close}
      >
        {target ? t('escalations.acknowledge.text', { recipient: recipientLabel(t, target.recipient) }) : ''}
      </ConfirmDialog>
    </Page>
  );
}
