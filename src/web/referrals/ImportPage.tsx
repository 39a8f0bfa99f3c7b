/**
 * One import, whatever it stands at: the file being read (its progress, polled), the preview
 * (what the commit will create, what was set aside and why, the rows with warnings), committed,
 * or waiting for a file that never came. Commit and discard are here. The same view is the last
 * step of the import wizard, and the page an import of the list opens.
 */
import { Alert, Anchor, Box, Button, Card, Group, List, Loader, SimpleGrid, Stack, Table, Tabs, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog, Page, Pager, ProblemAlert, useProblem } from '../app/ui.tsx';
import { ImportStatusBadge, ReadingProgress } from './IntakeBits.tsx';
import { fieldLabel, type Import, importPath, type RowOutcome, useImport, useImportRows } from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

const ROWS_PAGE_SIZE = 25;

function Figure({ label, value, hint, testId }: { label: string; value: number; hint?: string; testId: string }) {
  return (
    <Card withBorder padding="sm" component="div" data-testid={testId}>
      <Text size="sm" component="dt">
        {label}
      </Text>
      <Text component="dd" m={0} fw={700} fz={26} lh={1.2}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed" component="dd" m={0}>
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

/** The figures of a preview (or of a committed import). */
function ImportFigures({ imp }: { imp: Import }) {
  const { t } = useTranslation('intake');
  const c = imp.counts;
  if (!c) return null;
  const committed = imp.status === 'committed';
  const setAside = Object.entries(c.setAside).filter(([, n]) => n > 0);
  const setAsideTotal = setAside.reduce((a, [, n]) => a + n, 0);
  const warnings = Object.entries(c.warnings).filter(([, n]) => n > 0);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} component="dl" m={0} aria-label={t('preview.figuresLabel')}>
        <Figure testId="figure-rows" label={t('preview.rows')} value={c.rows} />
        <Figure testId="figure-accepted" label={t('preview.accepted')} value={c.accepted} hint={t('preview.acceptedHint', { n: c.withWarnings })} />
        <Figure testId="figure-warnings" label={t('preview.withWarnings')} value={c.withWarnings} />
        <Figure testId="figure-set-aside" label={t('preview.setAside')} value={setAsideTotal} />
        <Figure testId="figure-known" label={t('preview.alreadyKnown')} value={c.alreadyKnown} hint={t('preview.alreadyKnownHint')} />
        <Figure testId="figure-dossiers" label={t(committed ? 'preview.dossiersCreated' : 'preview.dossiers')} value={c.dossiers} />
        <Figure testId="figure-contacts" label={t(committed ? 'preview.contactsCreated' : 'preview.contacts')} value={c.contacts} />
        <Figure testId="figure-without-phone" label={t('preview.withoutPhone')} value={c.withoutPhone} hint={t('preview.withoutPhoneHint')} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap={4} data-testid="set-aside-reasons">
          <Title order={3} size="h5">
            {t('preview.setAsideByReason')}
          </Title>
          {setAside.length ? (
            <List size="sm" spacing={2}>
              {setAside.map(([reason, n]) => (
                <List.Item key={reason} data-reason={reason}>
                  {t('preview.countLine', { n, text: t(`imports:reason.${reason}`, { defaultValue: reason }) })}
                </List.Item>
              ))}
            </List>
          ) : (
            <Text size="sm">{t('preview.noneSetAside')}</Text>
          )}
        </Stack>
        <Stack gap={4} data-testid="warning-counts">
          <Title order={3} size="h5">
            {t('preview.warningsByKind')}
          </Title>
          {warnings.length ? (
            <List size="sm" spacing={2}>
              {warnings.map(([code, n]) => (
                <List.Item key={code} data-warning={code}>
                  {t('preview.countLine', { n, text: t(`imports:warning.${code}`, { defaultValue: code }) })}
                </List.Item>
              ))}
            </List>
          ) : (
            <Text size="sm">{t('preview.noWarnings')}</Text>
          )}
        </Stack>
      </SimpleGrid>
      {imp.droppedFields.length ? (
        <Alert color="gray" variant="light" title={t('preview.droppedTitle')} data-testid="dropped-fields">
          <Text size="sm">{t('preview.dropped', { fields: imp.droppedFields.map((f) => `${fieldLabel(t, f)} (“${imp.columns[f] ?? ''}”)`).join(', ') })}</Text>
        </Alert>
      ) : null}
    </Stack>
  );
}

/** The rows of one outcome, paged: row number, PV number, why. */
function RowsTable({ programmeId, imp, outcome }: { programmeId: string; imp: Import; outcome: Exclude<RowOutcome, 'accepted'> }) {
  const { t } = useTranslation('intake');
  const [page, setPage] = useState(1);
  const rows = useImportRows(programmeId, imp.id, outcome, page, ROWS_PAGE_SIZE);
  const caption = outcome === 'warning' ? t('rows.warningCaption') : t('rows.setAsideCaption');
  return (
    <Stack gap="sm">
      <ProblemAlert error={rows.error} />
      {rows.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {rows.data ? (
        <>
          <Table.ScrollContainer minWidth={700}>
            <Table striped verticalSpacing={6} aria-busy={rows.isFetching} data-testid={`rows-${outcome}`}>
              <Table.Caption>
                <VisuallyHidden>{caption}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('rows.row')}</Table.Th>
                  <Table.Th scope="col">{t('rows.pv')}</Table.Th>
                  <Table.Th scope="col">{outcome === 'warning' ? t('rows.warnings') : t('rows.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={3}>{t('rows.none')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {rows.data.items.map((r) => (
                  <Table.Tr key={r.rowNo} data-row={r.rowNo}>
                    <Table.Td>{r.rowNo}</Table.Td>
                    <Table.Td className="mono">{r.pvNumber ?? t('rows.noPv')}</Table.Td>
                    <Table.Td>
                      {r.reason ? <Text size="sm">{t(`imports:reason.${r.reason}`, { defaultValue: r.reason })}</Text> : null}
                      {r.warnings.map((w) => (
                        <Text size="sm" key={`${w.field}-${w.code}`}>
                          {t('rows.warningLine', { field: fieldLabel(t, w.field), text: t(`imports:warning.${w.code}`, { defaultValue: w.code }) })}
                        </Text>
                      ))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={ROWS_PAGE_SIZE} total={rows.data.total} onChange={setPage} label={t('rows.pages', { what: caption })} />
        </>
      ) : null}
    </Stack>
  );
}

function RowsSection({ programmeId, imp }: { programmeId: string; imp: Import }) {
  const { t } = useTranslation('intake');
  const c = imp.counts;
  const setAside = c ? Object.values(c.setAside).reduce((a, b) => a + b, 0) : 0;
  return (
    <Stack gap="sm">
      <Title order={2} size="h3">
        {t('rows.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('rows.audited')}
      </Text>
      <Tabs defaultValue={setAside > 0 ? 'set_aside' : 'warning'} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="set_aside">{t('rows.setAsideTab', { n: setAside })}</Tabs.Tab>
          <Tabs.Tab value="warning">{t('rows.warningTab', { n: c?.withWarnings ?? 0 })}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="set_aside" pt="sm">
          <RowsTable programmeId={programmeId} imp={imp} outcome="set_aside" />
        </Tabs.Panel>
        <Tabs.Panel value="warning" pt="sm">
          <RowsTable programmeId={programmeId} imp={imp} outcome="warning" />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** An import as it stands now, with what can be done with it; `onDiscarded` once it is discarded. */
export function ImportFollow({
  programmeId,
  importId,
  onDiscarded,
  onRestart,
}: {
  programmeId: string;
  importId: string;
  onDiscarded: () => void;
  /** Offered when the import is gone: start again (the wizard, from its first step). */
  onRestart?: () => void;
}) {
  const { t } = useTranslation('intake');
  const { can } = useSession();
  const qc = useQueryClient();
  const imp = useImport(programmeId, importId);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const commitProblem = useProblem();
  const discardProblem = useProblem();
  const commit = useMutation({
    mutationFn: () => post<Import>(`${importPath(programmeId, importId)}/commit`),
    onMutate: () => commitProblem.clear(),
    onError: commitProblem.setError,
    onSuccess: async (done) => {
      qc.setQueryData(['imports', programmeId, importId], done);
      await qc.invalidateQueries({ queryKey: ['imports', programmeId, 'list'] });
      await qc.invalidateQueries({ queryKey: ['dossiers', programmeId] });
    },
  });
  const discard = useMutation({
    mutationFn: () => post<void>(`${importPath(programmeId, importId)}/discard`),
    onMutate: () => discardProblem.clear(),
    onError: discardProblem.setError,
    onSuccess: async () => {
      setConfirmDiscard(false);
      qc.removeQueries({ queryKey: ['imports', programmeId, importId] });
      await qc.invalidateQueries({ queryKey: ['imports', programmeId, 'list'] });
      onDiscarded();
    },
  });

  if (imp.isPending) return <Loader size="sm" aria-label={t('app:loading')} />;
  if (imp.isError) {
    return (
      <Stack>
        <ProblemAlert error={imp.error} title={t('follow.goneTitle')} />
        <Text>{t('follow.gone')}</Text>
        {onRestart ? (
          <Group>
            <Button onClick={onRestart}>{t('follow.restart')}</Button>
          </Group>
        ) : null}
      </Stack>
    );
  }
  const i = imp.data;
  const canAct = can('imports.create');
  const reportHref = `${importPath(programmeId, importId)}/report.csv`;
  const setAside = i.counts ? Object.values(i.counts.setAside).reduce((a, b) => a + b, 0) : 0;

  return (
    <Stack gap="lg" data-testid="import-follow" data-status={i.status}>
      <Group gap="sm" wrap="wrap">
        <ImportStatusBadge status={i.status} />
        <Text size="sm">
          {t('follow.summary', {
            file: i.fileName,
            sender: i.senderName,
            who: i.uploadedByName ?? t('imports.unknownUser'),
            at: formatDateTime(i.createdAt),
          })}
        </Text>
      </Group>
      {i.protocolTitle ? (
        <Text size="sm" c="dimmed">
          {t('follow.protocol', { title: i.protocolTitle })}
        </Text>
      ) : null}

      {i.status === 'awaiting_file' ? (
        <Alert color="yellow" variant="light" title={t('follow.awaitingTitle')}>
          <Stack gap="sm">
            <Text size="sm">{t('follow.awaiting')}</Text>
            {canAct ? (
              <Group>
                <Button variant="default" onClick={() => setConfirmDiscard(true)}>
                  {t('follow.discard')}
                </Button>
              </Group>
            ) : null}
          </Stack>
        </Alert>
      ) : null}

      {i.status === 'parsing' ? (
        <Stack gap="xs">
          <Text fw={600}>{t('follow.parsing')}</Text>
          <ReadingProgress rowsRead={i.rowsRead} label={t('progress.readingNamed', { file: i.fileName })} />
        </Stack>
      ) : null}

      {i.status === 'committed' ? (
        <Alert color="teal" variant="light" role="status" title={t('follow.committedTitle')}>
          <Stack gap={6}>
            <Text size="sm">
              {t('follow.committed', {
                at: i.committedAt ? formatDateTime(i.committedAt) : '',
                dossiers: i.counts?.dossiers ?? 0,
                contacts: i.counts?.contacts ?? 0,
              })}
            </Text>
            {can('dossiers.read') ? (
              <Anchor component={Link} to={`/referrals/dossiers?programme=${programmeId}`} size="sm" c="blue.9" underline="always" fw={600}>
                {t('follow.toDossiers')}
              </Anchor>
            ) : null}
          </Stack>
        </Alert>
      ) : null}

      {i.status === 'discarded' ? <Text>{t('follow.discarded')}</Text> : null}

      {(i.status === 'previewed' || i.status === 'committed') && i.counts ? (
        <>
          <Stack gap="sm">
            <Title order={2} size="h3">
              {i.status === 'previewed' ? t('preview.title') : t('preview.resultTitle')}
            </Title>
            <ImportFigures imp={i} />
          </Stack>
          {setAside > 0 || i.counts.withWarnings > 0 ? <RowsSection programmeId={programmeId} imp={i} /> : null}
          <Group>
            <Anchor href={reportHref} download data-testid="report-link">
              {t('preview.report')}
            </Anchor>
          </Group>
        </>
      ) : null}

      {i.status === 'previewed' && canAct ? (
        <Card withBorder padding="md" component="section" aria-labelledby="decide-title">
          <Stack gap="sm">
            <Title order={2} size="h4" id="decide-title">
              {t('preview.decideTitle')}
            </Title>
            <Text size="sm">{t('preview.decide', { contacts: i.counts?.contacts ?? 0, dossiers: i.counts?.dossiers ?? 0 })}</Text>
            <ProblemAlert error={commitProblem.error} />
            <Group>
              <Button onClick={() => commit.mutate()} loading={commit.isPending}>
                {t('preview.commit')}
              </Button>
              <Button variant="default" onClick={() => setConfirmDiscard(true)} disabled={commit.isPending}>
                {t('follow.discard')}
              </Button>
            </Group>
          </Stack>
        </Card>
      ) : null}

      <ConfirmDialog
        opened={confirmDiscard}
        title={t('follow.discardTitle')}
        confirmLabel={t('follow.discardConfirm')}
        danger
        busy={discard.isPending}
        error={discardProblem.error}
        onConfirm={() => discard.mutate()}
        onClose={() => {
          setConfirmDiscard(false);
          discardProblem.clear();
        }}
      >
        {t('follow.discardText', { file: i.fileName })}
      </ConfirmDialog>
    </Stack>
  );
}

/** `/referrals/imports/:importId` */
export function ImportPage() {
  const { t } = useTranslation('intake');
  const { importId = '' } = useParams();
  const navigate = useNavigate();
  const ctx = useProgrammeContext('imports.read');
  return (
    <Page title={t('follow.title')}>
      <Box>
        <Anchor component={Link} to={`/referrals/imports${ctx.search}`} size="sm">
          {t('follow.back')}
        </Anchor>
      </Box>
      {ctx.programmeId ? (
        <ImportFollow
          programmeId={ctx.programmeId}
          importId={importId}
          onDiscarded={() => navigate(`/referrals/imports${ctx.search}`, { state: { notice: t('follow.discardedNotice') } })}
        />
      ) : (
        ctx.picker
      )}
    </Page>
  );
}
