/**
 * `/outreach/contacts/:contactId`: the safe-contact card, read before dialling. First what keeps
 * the person safe (if someone else answered before: end the call without saying why; the other
 * party at the same address), then whom to ask for, language, the numbers as tel: links, the
 * voicemail rule in words, safe parts of the day and hours, notes; where the attempt rule stands
 * and the earlier attempts with their notes; the claim (until when, extend, give back); the form
 * to record an attempt (AttemptForm); after the person was reached, the way to the conversation.
 * Reading the card opens the identity (audited): it is read once per visit and kept in memory
 * only until the caller returns to the worklist.
 */
import { Alert, Anchor, Box, Button, Card, Group, Loader, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { isoToBelgian, Notice, Page, ProblemAlert, useDialogFor, useProblem } from '../app/ui.tsx';
import { minorsLabel } from '../referrals/DossiersPage.tsx';
import { languageLabel, relationLabel } from '../referrals/intake.ts';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { AttemptForm, type AttemptResult } from './AttemptForm.tsx';
import { CloseContact } from './ContactCardClose.tsx';
import { SafetyDialog } from './ContactCardSafety.tsx';
import {
  type Card as CardData,
  cardKey,
  channelLabel,
  contactPath,
  conversationUrl,
  formatTime,
  mergeContact,
  outcomeLabel,
  PHONE_OUTCOMES,
  partLabel,
  useCard,
  type WorklistItem,
  worklistUrl,
} from './outreach.ts';
import { KeyboardHelp } from './WorklistKeyboard.tsx';

export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <Text size="sm" c="dimmed" component="dt">
        {label}
      </Text>
      <Text component="dd" m={0} fw={600}>
        {children}
      </Text>
    </div>
  );
}

/** Whom to ask for: what a caller recorded, else the name from the police export. */
export function askForOf(t: TFunction, card: CardData): string {
  if (card.safety.askFor) return card.safety.askFor;
  const name = [card.identity?.firstName, card.identity?.lastName].filter(Boolean).join(' ');
  return name || t('card.nameUnknown');
}

const telHref = (number: string) => `tel:${number.replace(/[^+\d]/g, '')}`;

/** The warnings that come before anything else on the card. */
function SafetyWarnings({ card, name }: { card: CardData; name: string }) {
  const { t } = useTranslation('outreach');
  return (
    <>
      {card.safety.instruction === 'end_call_without_reason' ? (
        <Alert color="red" variant="filled" title={t('card.someoneElseTitle')} data-testid="someone-else-notice">
          {t('card.someoneElse')}
        </Alert>
      ) : null}
      {card.safety.otherPartySameAddress === true ? (
        <Alert color="orange" variant="light" title={t('card.sameAddressTitle')} data-testid="same-address-warning">
          <Text c="dark.9">{t('card.sameAddress', { name })}</Text>
        </Alert>
      ) : null}
    </>
  );
}

function SafetySection({ card, onEdit }: { card: CardData; onEdit: () => void }) {
  const { t, i18n } = useTranslation('outreach');
  const s = card.safety;
  const name = askForOf(t, card);
  const yesNo = (v: boolean | null) => (v === null ? t('unknown') : v ? t('yes') : t('no'));
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="before-dialling">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h3" id="before-dialling">
            {t('card.before')}
          </Title>
          <Button variant="default" onClick={onEdit}>
            {t('card.editSafety')}
          </Button>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" component="dl" m={0}>
          <Fact label={t('card.askFor')} testId="ask-for">
            <Text span size="lg" fw={700}>
              {name}
            </Text>
          </Fact>
          <Fact label={t('card.language')} testId="language">
            {languageLabel(card.contact.language, i18n.language, t)}
          </Fact>
          <Fact label={t('card.phone')} testId="phones">
            {card.identity?.phones.length ? (
              <Stack gap={2} component="span">
                {card.identity.phones.map((p) => (
                  <Anchor key={p.number} href={telHref(p.number)} size="lg" fw={700} className="nowrap">
                    {t(`card.phoneKind.${p.kind}`)}: {p.number}
                  </Anchor>
                ))}
              </Stack>
            ) : (
              <Text span c="red.9" fw={700}>
                {t('card.noPhone')}
              </Text>
            )}
          </Fact>
          <Fact label={t('card.voicemail')} testId="voicemail">
            {t(`card.voicemailRule.${s.voicemail}`)}{' '}
            <Text span size="sm" c="dimmed" fw={400}>
              ({t(`card.voicemailSource.${s.voicemailSource}`)})
            </Text>
          </Fact>
          <Fact label={t('card.otherParty')} testId="same-address">
            {yesNo(s.otherPartySameAddress)}
          </Fact>
          <Fact label={t('card.safeParts')} testId="safe-parts">
            {s.safeParts.length ? s.safeParts.map((p) => partLabel(t, p)).join(', ') : t('card.notKnown')}
          </Fact>
          <Fact label={t('card.safeHours')} testId="safe-hours">
            {s.safeHours ?? t('card.notKnown')}
          </Fact>
        </SimpleGrid>
        {s.notes ? (
          <Box>
            <Text size="sm" c="dimmed">
              {t('card.notes')}
            </Text>
            <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="safety-notes">
              {s.notes}
            </Text>
          </Box>
        ) : null}
        {s.updatedAt ? (
          <Text size="xs" c="dimmed">
            {t('card.safetyUpdated', { at: formatDateTime(s.updatedAt) })}
          </Text>
        ) : null}
      </Stack>
    </Card>
  );
}

/** Where the attempt rule stands, and the attempts so far with their notes. */
function AttemptsSection({ card }: { card: CardData }) {
  const { t } = useTranslation('outreach');
  const c = card.contact;
  const r = c.rule;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="attempts-heading">
      <Stack gap="sm">
        <Title order={2} size="h3" id="attempts-heading">
          {t('card.attempts')}
        </Title>
        {r.applies ? (
          <Text data-testid="rule-state">
            {t('card.ruleState', { n: r.phoneAttempts, max: r.maxAttempts, left: r.attemptsLeft })}
            {r.distinctDays || r.distinctParts
              ? ` ${t(`card.ruleDistinct.${r.distinctDays && r.distinctParts ? 'both' : r.distinctDays ? 'days' : 'parts'}`)}`
              : ''}
          </Text>
        ) : c.reachedAt ? (
          <Text data-testid="rule-state">{t('card.reachedOn', { at: formatDateTime(c.reachedAt) })}</Text>
        ) : null}
        {r.applies && !r.callNow.ok && r.callNow.reason ? (
          <Alert color="yellow" variant="light" title={t('card.callNowTitle')} data-testid="call-now">
            <Text c="dark.9">{t(`card.callNow.${r.callNow.reason}`)}</Text>
          </Alert>
        ) : null}
        {r.proposal ? (
          <Text data-testid="proposal">
            {t('card.proposal', { day: formatDate(r.proposal.at), time: formatTime(r.proposal.at), part: partLabel(t, r.proposal.partOfDay) })}
          </Text>
        ) : null}
        {c.followUpAt ? <Text data-testid="follow-up">{t('card.followUp', { at: formatDateTime(c.followUpAt) })}</Text> : null}
        {card.attempts.length ? (
          <Table.ScrollContainer minWidth={720}>
            <Table striped verticalSpacing="xs" data-testid="attempts">
              <Table.Caption>
                <VisuallyHidden>{t('card.attemptsCaption', { ref: c.ref })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('card.col.no')}</Table.Th>
                  <Table.Th scope="col">{t('card.col.when')}</Table.Th>
                  <Table.Th scope="col">{t('card.col.channel')}</Table.Th>
                  <Table.Th scope="col">{t('card.col.outcome')}</Table.Th>
                  <Table.Th scope="col">{t('card.col.caller')}</Table.Th>
                  <Table.Th scope="col">{t('card.col.note')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {card.attempts.map((a) => (
                  <Table.Tr key={a.id} data-attempt={a.attemptNo}>
                    <Table.Th scope="row">{a.attemptNo}</Table.Th>
                    <Table.Td className="nowrap">
                      {formatDateTime(a.at)}
                      <Text size="xs" c="dimmed">
                        {partLabel(t, a.partOfDay)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{channelLabel(t, a.channel)}</Table.Td>
                    <Table.Td>{outcomeLabel(t, a.outcome)}</Table.Td>
                    <Table.Td>{a.caller?.displayName ?? t('unknown')}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'pre-wrap' }}>{a.note ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : (
          <Text size="sm">{t('card.noAttempts')}</Text>
        )}
      </Stack>
    </Card>
  );
}

/** Until when the caller holds the contact; extend, or give it back to the pool. */
function ClaimBox({ programmeId, card, search }: { programmeId: string; card: CardData; search: string }) {
  const { t } = useTranslation('outreach');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const problem = useProblem();
  const c = card.contact;
  const claim = useMutation({
    mutationFn: () => post<WorklistItem>(`${contactPath(programmeId, c.id)}/claim`),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: (item) => mergeContact(qc, programmeId, c.id, { leaseUntil: item.leaseUntil, leasedByMe: !!item.leaseUntil }),
  });
  const release = useMutation({
    mutationFn: () => post(`${contactPath(programmeId, c.id)}/release`),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: () => navigate(worklistUrl(search), { state: { notice: t('card.released', { ref: c.ref }) } }),
  });
  if (c.status !== 'open') return null;
  return (
    <Card withBorder padding="md" component="section" aria-label={t('card.claimLabel')}>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Text data-testid="lease">{c.leasedByMe && c.leaseUntil ? t('card.heldUntil', { at: formatTime(c.leaseUntil) }) : t('card.notHeld')}</Text>
        <Group gap="sm">
          <Button variant="default" onClick={() => claim.mutate()} loading={claim.isPending}>
            {c.leasedByMe ? t('card.extend') : t('card.claim')}
          </Button>
          {c.leasedByMe ? (
            <Button variant="default" onClick={() => release.mutate()} loading={release.isPending}>
              {t('card.release')}
            </Button>
          ) : null}
        </Group>
      </Group>
      <ProblemAlert error={problem.error} />
    </Card>
  );
}

function DossierFacts({ card }: { card: CardData }) {
  const { t } = useTranslation('outreach');
  const d = card.dossier;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="dossier-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="dossier-heading">
          {t('card.dossier', { ref: d.ref })}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm" component="dl" m={0}>
          <Fact label={t('card.municipality')}>{d.municipality ?? t('unknown')}</Fact>
          <Fact label={t('card.relation')}>{relationLabel(t, d.relation)}</Fact>
          <Fact label={t('card.minors')}>{minorsLabel((k) => t(`intake:${k}`), d.minorsPresent)}</Fact>
          <Fact label={t('card.factsOn')}>{d.factsOn ? isoToBelgian(d.factsOn) : t('unknown')}</Fact>
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

export function ContactCardPage() {
  const { t } = useTranslation('outreach');
  const { contactId = '' } = useParams();
  const ctx = useProgrammeContext('outreach.work');
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const card = useCard(ctx.programmeId, contactId);
  const safety = useDialogFor<true>();
  const c = card.data?.contact;

  const afterAttempt = (r: AttemptResult) => {
    const ref = r.contact.ref;
    if (r.contact.status === 'closed') {
      navigate(worklistUrl(ctx.search), {
        state: { notice: t('attempt.closed', { ref, outcome: outcomeLabel(t, r.attempt.outcome), closed: t(`closeOutcome.${r.contact.outcome}`) }) },
      });
      return;
    }
    if (r.attempt.outcome === 'reached') {
      navigate(conversationUrl(contactId, ctx.search), { state: { attemptId: r.attempt.id } });
      return;
    }
    if (r.attempt.channel === 'phone' && (PHONE_OUTCOMES as readonly string[]).includes(r.attempt.outcome) && !r.contact.reachedAt) {
      const p = r.contact.rule.proposal;
      navigate(worklistUrl(ctx.search), {
        state: {
          notice: [
            t('attempt.recorded', { n: r.attempt.attemptNo, ref, outcome: outcomeLabel(t, r.attempt.outcome) }),
            p ? t('attempt.nextProposed', { day: formatDate(p.at), time: formatTime(p.at), part: partLabel(t, p.partOfDay) }) : '',
          ]
            .filter(Boolean)
            .join(' '),
        },
      });
      return;
    }
    // A letter, a text message or a follow-up call: the card stays.
    setNotice(t('attempt.recorded', { n: r.attempt.attemptNo, ref, outcome: outcomeLabel(t, r.attempt.outcome) }));
  };

  return (
    <Page
      title={c ? t('card.title', { ref: c.ref }) : t('card.titleLoading')}
      description={card.data ? t('card.intro', { municipality: card.data.dossier.municipality ?? t('unknown') }) : undefined}
      actions={<KeyboardHelp shortcuts={[{ keys: ['1–8'], label: t('keyboard.outcomes') }]} />}
    >
      <Box>
        <Anchor component={Link} to={worklistUrl(ctx.search)} size="sm">
          {t('card.back')}
        </Anchor>
      </Box>
      {ctx.programmeId ? null : ctx.picker}
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <ProblemAlert error={card.error} />
      {ctx.programmeId && card.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {card.data && c && ctx.programmeId ? (
        <>
          <SafetyWarnings card={card.data} name={askForOf(t, card.data)} />
          {c.status === 'closed' ? (
            <Alert color="gray" variant="light" title={t('card.closedTitle')} data-testid="closed">
              {t('card.closed', { outcome: t(`closeOutcome.${c.outcome}`, { defaultValue: c.outcome ?? '' }) })}
            </Alert>
          ) : null}
          <SafetySection card={card.data} onEdit={() => safety.open(true)} />
          <ClaimBox programmeId={ctx.programmeId} card={card.data} search={ctx.search} />
          {c.status === 'open' && c.reachedAt ? (
            <Card withBorder padding="lg" bg="teal.0" component="section" aria-labelledby="conversation-next">
              <Group justify="space-between" wrap="wrap">
                <Stack gap={4}>
                  <Title order={2} size="h3" id="conversation-next">
                    {t('card.conversationTitle')}
                  </Title>
                  <Text size="sm">{t('card.conversationIntro')}</Text>
                </Stack>
                <Button component={Link} to={conversationUrl(contactId, ctx.search)} size="md">
                  {t('card.toConversation')}
                </Button>
              </Group>
            </Card>
          ) : null}
          <AttemptsSection card={card.data} />
          {c.status === 'open' ? <AttemptForm programmeId={ctx.programmeId} card={card.data} onDone={afterAttempt} /> : null}
          {c.status === 'open' && !c.reachedAt && c.closeOptions.length ? <CloseContact programmeId={ctx.programmeId} contact={c} search={ctx.search} /> : null}
          <DossierFacts card={card.data} />
          {safety.item ? (
            <SafetyDialog
              programmeId={ctx.programmeId}
              card={card.data}
              onClose={safety.close}
              onSaved={(s) => {
                qc.setQueryData<CardData>(cardKey(ctx.programmeId, contactId), (old) => (old ? { ...old, safety: s } : old));
                setNotice(t('safety.saved'));
                safety.close();
              }}
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
