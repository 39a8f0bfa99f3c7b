/**
 * One dossier: its facts, and its contacts (one person each, called separately), pseudonymous.
 * A contact's identity is shown only on request, for a stated purpose, and that read is recorded
 * in the audit trail; it stays on screen until the dialog closes, and is kept nowhere else.
 * A contact can be closed before the outreach: not informed (unusable contact data) or reached
 * by letter.
 */
import { Alert, Anchor, Box, Button, Card, Group, Loader, Modal, Radio, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { get, post } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog, FormDialog, isoToBelgian, Notice, Page, ProblemAlert, useDialogFor, useProblem } from '../app/ui.tsx';
import { minorsLabel } from './DossiersPage.tsx';
import { ColourBadge } from './IntakeBits.tsx';
import { type Contact, type DossierDetail, genderLabel, type Identity, INTAKE_OUTCOMES, languageLabel, relationLabel, roleLabel } from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

type IntakeOutcome = (typeof INTAKE_OUTCOMES)[number];

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="sm" c="dimmed" component="dt">
        {label}
      </Text>
      <Text component="dd" m={0} fw={500}>
        {children}
      </Text>
    </div>
  );
}

/** What the vault holds on one person, as it was read. */
function IdentityView({ data, t }: { data: Identity; t: TFunction }) {
  const i = data.identity;
  const address = [i.street, i.houseNumber, i.box ? t('identity.box', { box: i.box }) : null].filter(Boolean).join(' ');
  const rows: [string, string | undefined][] = [
    [t('imports:field.last_name'), i.lastName],
    [t('imports:field.first_name'), i.firstName],
    [t('imports:field.birth_date'), i.birthDate ? isoToBelgian(i.birthDate) : undefined],
    [t('imports:field.mobile'), i.mobile],
    [t('imports:field.phone'), i.phone],
    [t('imports:field.email'), i.email],
    [t('identity.address'), address || undefined],
    [t('imports:field.pv_number'), data.pvNumber ?? undefined],
    [t('imports:field.remarks'), i.remarks],
  ];
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" component="dl" m={0} data-testid="identity">
      {rows.map(([label, value]) => (
        <Fact key={label} label={label}>
          {value ?? (
            <Text span c="dimmed">
              {t('identity.none')}
            </Text>
          )}
        </Fact>
      ))}
    </SimpleGrid>
  );
}

const PURPOSES = ['call', 'letter', 'check', 'chain'] as const;

/** Ask why (a usual reason, or one typed), then show the identity; the read is audited with that purpose. */
function IdentityDialog({ programmeId, contact, onClose }: { programmeId: string; contact: Contact; onClose: () => void }) {
  const { t } = useTranslation('intake');
  const [choice, setChoice] = useState<string>('');
  const [other, setOther] = useState('');
  const [readAt, setReadAt] = useState<Date | null>(null);
  const problem = useProblem();
  const purpose = choice === 'other' ? other.trim() : choice ? t(`identity.purposes.${choice}`) : '';
  const reveal = useMutation({
    mutationFn: () => post<Identity>(`/api/programmes/${programmeId}/contacts/${contact.id}/identity`, { purpose }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: () => setReadAt(new Date()),
  });
  const title = t('identity.title', { ref: contact.ref });
  if (reveal.data) {
    return (
      <Modal opened onClose={onClose} title={title} size="lg" closeButtonProps={{ 'aria-label': t('app:action.close') }}>
        <Stack>
          <Alert color="blue" variant="light" role="status" title={t('identity.recordedTitle')}>
            {t('identity.recorded', { at: readAt ? formatDateTime(readAt) : '', purpose })}
          </Alert>
          <IdentityView data={reveal.data} t={t} />
          <Group justify="flex-end">
            <Button onClick={onClose} data-autofocus>
              {t('identity.hide')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    );
  }
  return (
    <FormDialog
      title={title}
      size="lg"
      error={problem.error}
      busy={reveal.isPending}
      submitLabel={t('identity.show')}
      onSubmit={() => reveal.mutate()}
      onClose={onClose}
    >
      <Text size="sm">{t('identity.why')}</Text>
      <Radio.Group
        label={t('identity.purpose')}
        name="purposeChoice"
        value={choice}
        onChange={setChoice}
        required
        error={choice === 'other' ? undefined : problem.fields.purpose}
      >
        <Stack gap={8} mt={8}>
          {PURPOSES.map((p, i) => (
            <Radio key={p} value={p} label={t(`identity.purposes.${p}`)} {...(i === 0 ? { 'data-autofocus': true } : {})} />
          ))}
          <Radio value="other" label={t('identity.purposes.other')} />
        </Stack>
      </Radio.Group>
      {choice === 'other' ? (
        <TextInput
          label={t('identity.otherPurpose')}
          description={t('identity.purposeHint')}
          name="purpose"
          required
          value={other}
          onChange={(e) => setOther(e.currentTarget.value)}
          error={problem.fields.purpose}
          maxLength={300}
          data-autofocus
        />
      ) : null}
    </FormDialog>
  );
}

function ContactsTable({ programmeId, dossier }: { programmeId: string; dossier: DossierDetail }) {
  const { t, i18n } = useTranslation('intake');
  const { can } = useSession();
  const qc = useQueryClient();
  const identity = useDialogFor<Contact>();
  const closing = useDialogFor<{ contact: Contact; outcome: IntakeOutcome }>();
  const [notice, setNotice] = useState<string | null>(null);
  const problem = useProblem();
  const close = useMutation({
    mutationFn: ({ contact, outcome }: { contact: Contact; outcome: IntakeOutcome }) =>
      post<Contact>(`/api/programmes/${programmeId}/contacts/${contact.id}/close`, { outcome }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (c) => {
      closing.close();
      setNotice(t('contacts.closedNotice', { ref: c.ref, outcome: t(`outcome.${c.outcome}`, { defaultValue: c.outcome ?? '' }) }));
      await qc.invalidateQueries({ queryKey: ['dossiers', programmeId] });
    },
  });
  const canIdentity = can('contacts.identity.read');
  const canClose = can('contacts.close');
  return (
    <Stack gap="sm">
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="sm" data-testid="contacts">
          <Table.Caption>
            <VisuallyHidden>{t('contacts.caption', { ref: dossier.ref })}</VisuallyHidden>
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('contacts.col.ref')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.role')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.gender')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.birthYear')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.language')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.phone')}</Table.Th>
              <Table.Th scope="col">{t('contacts.col.status')}</Table.Th>
              {canIdentity || canClose ? (
                <Table.Th scope="col">
                  <VisuallyHidden>{t('contacts.col.actions')}</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {dossier.persons.map((c) => (
              <Table.Tr key={c.id} data-contact={c.ref}>
                <Table.Th scope="row" className="mono">
                  {c.ref}
                </Table.Th>
                <Table.Td>{roleLabel(t, c.role)}</Table.Td>
                <Table.Td>{genderLabel(t, c.gender)}</Table.Td>
                <Table.Td>{c.birthYear ?? t('unknown')}</Table.Td>
                <Table.Td>{languageLabel(c.language, i18n.language, t)}</Table.Td>
                <Table.Td>
                  {c.hasPhone ? (
                    <Text size="sm">{t('contacts.hasPhone')}</Text>
                  ) : (
                    <Text size="sm" fw={700} c="red.9" data-testid="no-phone">
                      <span aria-hidden="true">⚠ </span>
                      {t('contacts.noPhone')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={c.status === 'open' ? 400 : 600}>
                    {c.status === 'open'
                      ? t('contacts.open')
                      : t('contacts.closed', {
                          outcome: t(`outcome.${c.outcome}`, { defaultValue: c.outcome ?? '' }),
                          at: c.closedAt ? formatDate(c.closedAt) : '',
                        })}
                  </Text>
                  {c.purged ? (
                    <Text size="xs" c="dimmed">
                      {t('contacts.purged')}
                    </Text>
                  ) : null}
                </Table.Td>
                {canIdentity || canClose ? (
                  <Table.Td>
                    <Group gap="xs" wrap="wrap">
                      {canIdentity && !c.purged ? (
                        <Button size="xs" variant="default" onClick={() => identity.open(c)} aria-label={`${t('contacts.showIdentity')} (${c.ref})`}>
                          {t('contacts.showIdentity')}
                        </Button>
                      ) : null}
                      {canClose && c.status === 'open'
                        ? INTAKE_OUTCOMES.map((o) => (
                            <Button
                              key={o}
                              size="xs"
                              variant="default"
                              onClick={() => closing.open({ contact: c, outcome: o })}
                              aria-label={`${t(`contacts.closeAs.${o}`)} (${c.ref})`}
                            >
                              {t(`contacts.closeAs.${o}`)}
                            </Button>
                          ))
                        : null}
                    </Group>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {identity.item ? <IdentityDialog programmeId={programmeId} contact={identity.item} onClose={identity.close} /> : null}
      <ConfirmDialog
        opened={!!closing.item}
        title={closing.item ? t(`contacts.confirm.${closing.item.outcome}Title`, { ref: closing.item.contact.ref }) : ''}
        confirmLabel={closing.item ? t(`contacts.closeAs.${closing.item.outcome}`) : ''}
        busy={close.isPending}
        error={problem.error}
        onConfirm={() => closing.item && close.mutate(closing.item)}
        onClose={() => {
          problem.clear();
          closing.close();
        }}
      >
        {closing.item ? t(`contacts.confirm.${closing.item.outcome}`, { ref: closing.item.contact.ref }) : ''}
      </ConfirmDialog>
    </Stack>
  );
}

/** `/referrals/dossiers/:dossierId` */
export function DossierPage() {
  const { t } = useTranslation('intake');
  const { dossierId = '' } = useParams();
  const ctx = useProgrammeContext('dossiers.read');
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const dossier = useQuery({
    queryKey: ['dossiers', ctx.programmeId, 'one', dossierId],
    queryFn: () => get<DossierDetail>(`/api/programmes/${ctx.programmeId}/dossiers/${dossierId}`),
    enabled: !!ctx.programmeId,
  });
  const d = dossier.data;
  return (
    <Page title={d ? t('dossier.title', { ref: d.ref }) : t('dossier.titleLoading')}>
      <Box>
        <Anchor component={Link} to={`/referrals/dossiers${ctx.search}${d && d.colour !== 'green' ? '&list=separate' : ''}`} size="sm">
          {t('dossier.back')}
        </Anchor>
      </Box>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      {ctx.programmeId ? null : ctx.picker}
      <ProblemAlert error={dossier.error} />
      {ctx.programmeId && dossier.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {d ? (
        <>
          <Card withBorder padding="lg" component="section" aria-labelledby="dossier-facts">
            <Stack gap="sm">
              <Group justify="space-between">
                <Title order={2} size="h3" id="dossier-facts">
                  {t('dossier.facts')}
                </Title>
                <ColourBadge colour={d.colour} />
              </Group>
              {d.colour !== 'green' ? (
                <Alert color="orange" variant="light" title={t('dossier.separateTitle')}>
                  {t('dossier.separate')}
                </Alert>
              ) : null}
              <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm" component="dl" m={0}>
                <Fact label={t('dossier.source')}>{t(`dossier.sourceKind.${d.source}`, { defaultValue: d.source })}</Fact>
                <Fact label={t('imports:field.police_zone')}>{d.policeZone ?? t('unknown')}</Fact>
                <Fact label={t('imports:field.municipality')}>{d.municipality ? `${d.municipality}${d.nisCode ? ` (${d.nisCode})` : ''}` : t('unknown')}</Fact>
                <Fact label={t('imports:field.postcode')}>{d.postcode ?? t('unknown')}</Fact>
                <Fact label={t('imports:field.relation')}>{relationLabel(t, d.relation)}</Fact>
                <Fact label={t('imports:field.minors_present')}>{minorsLabel(t, d.minorsPresent)}</Fact>
                <Fact label={t('imports:field.facts_date')}>{d.factsOn ? isoToBelgian(d.factsOn) : t('unknown')}</Fact>
                <Fact label={t('imports:field.registration_date')}>{d.registeredOn ? isoToBelgian(d.registeredOn) : t('unknown')}</Fact>
                <Fact label={t('dossier.received')}>{formatDateTime(d.receivedAt)}</Fact>
                <Fact label={t('dossier.contacts')}>{t('dossiers.contactsOpen', { n: d.contacts, open: d.openContacts })}</Fact>
              </SimpleGrid>
            </Stack>
          </Card>
          <Stack gap="sm" component="section" aria-labelledby="dossier-contacts">
            <Title order={2} size="h3" id="dossier-contacts">
              {t('contacts.title')}
            </Title>
            <Text size="sm">{t('contacts.intro')}</Text>
            <ContactsTable programmeId={ctx.programmeId as string} dossier={d} />
          </Stack>
        </>
      ) : null}
    </Page>
  );
}
