/**
 * `/outreach/contacts/:contactId/referral`: after the conversation, what the caller agrees with the
 * person. A referral to a service of the directory (ReferralServices), the referrals so far with
 * their next step (accepted, taken up, declined), a follow-up call on a day and part of the day
 * (the contact then returns to the worklist when it is due), and at last closing the contact with
 * an outcome the card allows, or leaving it open.
 */
import { Alert, Anchor, Box, Button, Card, Group, Loader, Radio, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type RefObject, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { api, post } from '../app/api.ts';
import { DateField, Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { CloseContact } from './ContactCardClose.tsx';
import {
  type Card as CardData,
  callWindow,
  cardUrl,
  contactPath,
  type FollowUp,
  followUpMoment,
  mergeContact,
  PARTS_OF_DAY,
  type PartOfDay,
  partLabel,
  type Referral,
  type ReferralStatus,
  referralStatusLabel,
  serviceKindLabel,
  tomorrow,
  useCard,
  useMunicipalities,
  useReferrals,
} from './outreach.ts';
import { ReferToService } from './ReferralServices.tsx';
import { KeyboardHelp } from './WorklistKeyboard.tsx';

/** The moves a referral can make from where it stands. */
const MOVES: Record<ReferralStatus, ReferralStatus[]> = {
  proposed: ['accepted', 'declined'],
  accepted: ['taken_up', 'declined'],
  taken_up: [],
  declined: [],
};

function ReferralsList({ programmeId, contactId, headingRef }: { programmeId: string; contactId: string; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { t } = useTranslation('outreach');
  const qc = useQueryClient();
  const referrals = useReferrals(programmeId, contactId);
  const problem = useProblem();
  const move = useMutation({
    mutationFn: ({ id, status }: { id: string; status: ReferralStatus }) =>
      api<Referral>('PATCH', `${contactPath(programmeId, contactId)}/referrals/${id}`, { status }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['outreach-referrals', programmeId, contactId] }),
  });
  const items = referrals.data?.items ?? [];
  const dateOf = (r: Referral) => r.declinedAt ?? r.takenUpAt ?? r.acceptedAt ?? r.proposedAt;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="referrals-heading">
      <Stack gap="sm">
        <Title order={2} size="h3" id="referrals-heading" ref={headingRef} tabIndex={-1} className="page-title">
          {t('referral.listTitle')}
        </Title>
        <ProblemAlert error={referrals.error ?? problem.error} />
        {referrals.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
        {referrals.data && items.length === 0 ? <Text size="sm">{t('referral.none')}</Text> : null}
        {items.length ? (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="xs" data-testid="referrals">
              <Table.Caption>
                <VisuallyHidden>{t('referral.listTitle')}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('referral.col.service')}</Table.Th>
                  <Table.Th scope="col">{t('referral.col.kind')}</Table.Th>
                  <Table.Th scope="col">{t('referral.col.status')}</Table.Th>
                  <Table.Th scope="col">{t('referral.col.next')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={r.id} data-referral={r.serviceName} data-status={r.status}>
                    <Table.Th scope="row">{r.serviceName}</Table.Th>
                    <Table.Td>{serviceKindLabel(t, r.serviceKind)}</Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={700}>
                        {referralStatusLabel(t, r.status)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {formatDate(dateOf(r))}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs">
                        {MOVES[r.status].map((s) => (
                          <Button
                            key={s}
                            size="xs"
                            variant="default"
                            onClick={() => move.mutate({ id: r.id, status: s })}
                            aria-label={t('referral.moveNamed', { status: referralStatusLabel(t, s), service: r.serviceName })}
                          >
                            {t(`referral.move.${s}`)}
                          </Button>
                        ))}
                        {MOVES[r.status].length === 0 ? '—' : null}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Stack>
    </Card>
  );
}

/** A follow-up call: a day (dd/mm/yyyy) and a part of the day; or the one planned, to cancel. */
function FollowUpCall({ programmeId, card }: { programmeId: string; card: CardData }) {
  const { t } = useTranslation('outreach');
  const qc = useQueryClient();
  const c = card.contact;
  const [day, setDay] = useState<string | null>('');
  const [part, setPart] = useState<string>(card.safety.safeParts[0] ?? 'morning');
  const [local, setLocal] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const problem = useProblem();
  const done = (f: FollowUp, text: string) => {
    mergeContact(qc, programmeId, c.id, { followUpAt: f.followUpAt, nextDueAt: f.nextDueAt });
    void qc.invalidateQueries({ queryKey: ['worklist', programmeId] });
    setNotice(text);
  };
  const plan = useMutation({
    mutationFn: (at: Date) => post<FollowUp>(`${contactPath(programmeId, c.id)}/follow-up`, { at: at.toISOString() }),
    onMutate: () => {
      problem.clear();
      setNotice(null);
    },
    onError: problem.setError,
    onSuccess: (f) => {
      setDay('');
      done(f, t('followUp.planned', { at: f.followUpAt ? formatDateTime(f.followUpAt) : '' }));
    },
  });
  const cancel = useMutation({
    mutationFn: () => api<FollowUp>('DELETE', `${contactPath(programmeId, c.id)}/follow-up`),
    onMutate: () => {
      problem.clear();
      setNotice(null);
    },
    onError: problem.setError,
    onSuccess: (f) => done(f, t('followUp.cancelled')),
  });
  if (c.status !== 'open') return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="follow-up-heading">
      <form
        id="follow-up"
        noValidate
        aria-labelledby="follow-up-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (!day) {
            setLocal(day === null ? t('app:date.invalid') : t('followUp.chooseDay'));
            setTimeout(() => document.querySelector<HTMLElement>('#follow-up [aria-invalid="true"]')?.focus(), 0);
            return;
          }
          plan.mutate(followUpMoment(day, part as PartOfDay));
        }}
      >
        <Stack gap="md">
          <Title order={2} size="h3" id="follow-up-heading">
            {t('followUp.title')}
          </Title>
          <Text size="sm">{t('followUp.intro')}</Text>
          {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
          <ProblemAlert error={problem.error} />
          {c.followUpAt ? (
            <Group gap="md" wrap="wrap">
              <Text fw={700} data-testid="follow-up-planned">
                {t('followUp.current', { at: formatDateTime(c.followUpAt) })}
              </Text>
              <Button variant="default" size="sm" onClick={() => cancel.mutate()} loading={cancel.isPending}>
                {t('followUp.cancel')}
              </Button>
            </Group>
          ) : null}
          <Group align="flex-start" wrap="wrap" gap="xl">
            <DateField
              label={t('followUp.day')}
              name="followUpDay"
              value={day}
              onChange={(v) => {
                setDay(v);
                setLocal(undefined);
              }}
              error={local ?? problem.fields.at}
              w={220}
            />
            <Radio.Group label={t('followUp.part')} name="followUpPart" value={part} onChange={setPart}>
              <Stack gap={6} mt={6}>
                {PARTS_OF_DAY.map((p) => (
                  <Radio key={p} value={p} label={t('followUp.partAt', { part: partLabel(t, p), window: callWindow(p) })} />
                ))}
              </Stack>
            </Radio.Group>
          </Group>
          <Text size="xs" c="dimmed">
            {t('followUp.hint', { example: tomorrow().split('-').reverse().join('/') })}
          </Text>
          <div>
            <Button type="submit" variant={c.followUpAt ? 'default' : 'filled'} loading={plan.isPending}>
              {c.followUpAt ? t('followUp.replace') : t('followUp.submit')}
            </Button>
          </div>
        </Stack>
      </form>
    </Card>
  );
}

export function ReferralPage() {
  const { t } = useTranslation('outreach');
  const { contactId = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const ctx = useProgrammeContext('outreach.work');
  const card = useCard(ctx.programmeId, contactId);
  const municipalities = useMunicipalities(ctx.programmeId);
  const [notice, setNotice] = useState<string | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const conversationId = params.get('conversation');
  const outcome = (location.state as { outcome?: 'held' | 'refused' } | null)?.outcome;
  const c = card.data?.contact;
  const search = ctx.search;
  return (
    <Page
      title={c ? t('referral.title', { ref: c.ref }) : t('referral.titleLoading')}
      description={t('referral.intro')}
      actions={<KeyboardHelp shortcuts={[]} />}
    >
      <Box>
        <Anchor component={Link} to={cardUrl(contactId, search)} size="sm">
          {t('conversation.backToCard')}
        </Anchor>
      </Box>
      {ctx.programmeId ? null : ctx.picker}
      {outcome ? (
        <Alert color={outcome === 'held' ? 'teal' : 'gray'} variant="light" role="status">
          <Text c="dark.9">{t(`referral.after.${outcome}`)}</Text>
        </Alert>
      ) : null}
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <ProblemAlert error={card.error} />
      {ctx.programmeId && card.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {ctx.programmeId && card.data && c ? (
        c.status === 'closed' ? (
          <Alert color="gray" variant="light" title={t('card.closedTitle')}>
            {t('card.closed', { outcome: t(`closeOutcome.${c.outcome}`, { defaultValue: c.outcome ?? '' }) })}
          </Alert>
        ) : (
          <>
            {c.reachedAt ? (
              <ReferToService
                programmeId={ctx.programmeId}
                contactId={contactId}
                conversationId={conversationId}
                defaults={{ nisCode: card.data.dossier.nisCode ?? '', language: card.data.contact.language ?? '' }}
                municipalities={municipalities}
                onReferred={(r) => {
                  setNotice(t('referral.done', { service: r.serviceName, status: referralStatusLabel(t, r.status) }));
                  listHeading.current?.focus();
                }}
              />
            ) : null}
            <ReferralsList programmeId={ctx.programmeId} contactId={contactId} headingRef={listHeading} />
            <FollowUpCall programmeId={ctx.programmeId} card={card.data} />
            <CloseContact
              programmeId={ctx.programmeId}
              contact={c}
              search={search}
              leaveOpen
              suggested={outcome === 'refused' ? 'refused' : outcome === 'held' ? 'conversation' : undefined}
            />
          </>
        )
      ) : null}
    </Page>
  );
}
