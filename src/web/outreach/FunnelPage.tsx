/**
 * The live funnel of a programme (`/outreach/funnel`, reports.read): the contacts received in a
 * period (default: this year), optionally of one municipality, and where each of them stands
 * today. An indented table whose groups visibly add up to the line they are part of (the open
 * remainder always shown), the reach rate by attempt number and by part of the day, a bar chart of
 * the same figures, and the CSV and XLSX files. Whoever sees the programme's dossiers
 * (dossiers.read) can follow every count to the contacts behind it, as pseudonymous references.
 * Everything the page shows is in its address, so a figure can be shared as a link.
 */
import { Anchor, Button, Card, Group, Loader, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { ApiError } from '../app/api.ts';
import { DateField, isoToBelgian, MunicipalitySelect, Page, Pager, ProblemAlert } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { FunnelChart } from './FunnelChart.tsx';
import {
  type Drill,
  type Funnel,
  type FunnelFilter,
  type FunnelLine,
  type FunnelLineCount,
  formatPercent,
  funnelFileUrl,
  lineLabel,
  NS,
  partLabel,
  SERVICE_KINDS,
  type ServiceKind,
  thisYear,
  useAllows,
  useChangeParams,
  useFunnel,
  useFunnelContacts,
} from './outreach-admin.ts';

const DRILL_PAGE_SIZE = 25;
/** Parameters of the address that say which contacts are listed. */
const DRILL_PARAMS = ['drill', 'drillKind', 'drillAttempt', 'dpage'] as const;

type Row =
  | { type: 'line'; line: FunnelLineCount; depth: number; parentCount: number | null; firstKind: boolean }
  | { type: 'sum'; parts: number[]; total: number; of: FunnelLine; depth: number };

/** The lines as the rows of the table: each line followed by its parts, a group by its sum. */
function rowsOf(f: Funnel): Row[] {
  const out: Row[] = [];
  const root = f.lines.find((l) => l.line === 'received');
  if (!root) return out;
  let kindShown = false;
  const walk = (line: FunnelLineCount, depth: number, parentCount: number | null) => {
    const firstKind = line.line === 'referred_kind' && !kindShown;
    if (line.line === 'referred_kind') kindShown = true;
    out.push({ type: 'line', line, depth, parentCount, firstKind });
    if (line.line === 'referred_kind') return;
    const children = f.lines.filter((c) => c.parent === line.line && (c.line !== 'referred_kind' || c.count > 0));
    for (const c of children) walk(c, depth + 1, line.count);
    const group = children.filter((c) => c.group !== null);
    if (group.length) out.push({ type: 'sum', parts: group.map((c) => c.count), total: line.count, of: line.line, depth: depth + 1 });
  };
  walk(root, 0, null);
  return out;
}

/** `?…` of the page with some parameters changed (empty: removed). */
function searchWith(params: URLSearchParams, changes: Record<string, string | number | undefined>): string {
  const n = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') n.delete(k);
    else n.set(k, String(v));
  }
  return `?${n.toString()}`;
}

function drillOf(params: URLSearchParams): Drill | null {
  const line = params.get('drill');
  if (!line) return null;
  const kind = params.get('drillKind');
  const attempt = Number(params.get('drillAttempt'));
  return {
    line: line as Drill['line'],
    ...(kind && (SERVICE_KINDS as readonly string[]).includes(kind) ? { kind: kind as ServiceKind } : {}),
    ...(attempt > 0 ? { attemptNo: attempt } : {}),
  };
}

function drillChanges(d: Drill) {
  return { drill: d.line, drillKind: d.kind, drillAttempt: d.attemptNo, dpage: undefined };
}

/** What a list of contacts is of, in words. */
function drillTitle(t: TFunction, f: Funnel, d: Drill): string {
  if (d.line === 'phone_attempt') return t('funnel.drill.phoneAttempt', { n: d.attemptNo });
  if (d.line === 'phone_attempt_reached') return t('funnel.drill.phoneAttemptReached', { n: d.attemptNo });
  return lineLabel(t, d.line, f.maxAttempts, d.kind ?? null);
}

/** A count, as a link to the contacts behind it when the user may see them and there are any. */
function CountLink({ n, drill, label, canDrill }: { n: number; drill: Drill; label: string; canDrill: boolean }) {
  const { t } = useTranslation(NS);
  const [params] = useSearchParams();
  if (!canDrill || n === 0) return <>{n}</>;
  return (
    <Anchor component={Link} to={{ search: searchWith(params, drillChanges(drill)) }} aria-label={t('funnel.showContacts', { n, line: label })} fw={700}>
      {n}
    </Anchor>
  );
}

function FunnelTable({ funnel, canDrill }: { funnel: Funnel; canDrill: boolean }) {
  const { t, i18n } = useTranslation(NS);
  const received = funnel.lines.find((l) => l.line === 'received')?.count ?? 0;
  const escalated = funnel.lines.find((l) => l.line === 'escalated');
  const label = (l: FunnelLineCount) => lineLabel(t, l.line, funnel.maxAttempts, l.kind);
  const pad = (depth: number) => ({ paddingLeft: `calc(var(--mantine-spacing-sm) + ${depth * 1.5}rem)` });
  const lineRow = (l: FunnelLineCount, depth: number, parentCount: number | null, note: ReactNode, partOf: FunnelLine | null) => (
    <Table.Tr key={`${l.line}-${l.kind ?? ''}`} data-line={l.line} data-kind={l.kind ?? undefined}>
      <Table.Th scope="row" style={pad(depth)} fw={depth === 0 ? 700 : 500}>
        {depth > 0 ? (
          <Text span c="dimmed" aria-hidden="true">
            {'└ '}
          </Text>
        ) : null}
        {label(l)}
        {partOf ? <VisuallyHidden>{` (${t('funnel.partOf', { line: lineLabel(t, partOf, funnel.maxAttempts) })})`}</VisuallyHidden> : null}
      </Table.Th>
      <Table.Td ta="right" data-testid={`count-${l.line}${l.kind ? `-${l.kind}` : ''}`} className="nowrap">
        <CountLink n={l.count} drill={{ line: l.line, ...(l.kind ? { kind: l.kind } : {}) }} label={label(l)} canDrill={canDrill} />
      </Table.Td>
      <Table.Td ta="right" className="nowrap">
        {parentCount === null ? '' : formatPercent(parentCount ? l.count / parentCount : null, i18n.language)}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{note}</Text>
      </Table.Td>
    </Table.Tr>
  );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing={6} withTableBorder data-testid="funnel-table">
        <Table.Caption>
          <VisuallyHidden>
            {t('funnel.caption', {
              programme: funnel.programme.name,
              from: isoToBelgian(funnel.period.from),
              to: isoToBelgian(funnel.period.to),
              municipality: funnel.municipality?.name ?? t('reports:funnel.allMunicipalities'),
            })}
          </VisuallyHidden>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('reports:funnel.columns.line')}</Table.Th>
            <Table.Th scope="col" ta="right">
              {t('reports:funnel.columns.count')}
            </Table.Th>
            <Table.Th scope="col" ta="right">
              {t('funnel.share')}
            </Table.Th>
            <Table.Th scope="col">{t('reports:funnel.columns.note')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rowsOf(funnel).map((r) =>
            r.type === 'line' ? (
              lineRow(r.line, r.depth, r.parentCount, r.firstKind && r.line.note ? t(`reports:funnel.note.${r.line.note}`) : null, r.line.parent)
            ) : (
              <Table.Tr key={`sum-${r.of}`} data-sum={r.of} className="funnel-sum">
                <Table.Td style={pad(r.depth)}>
                  <Text size="sm" fs="italic">
                    {t('funnel.sum', { parts: r.parts.join(' + '), line: lineLabel(t, r.of, funnel.maxAttempts) })}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" className="nowrap">
                  <Text size="sm" fs="italic" data-testid={`sum-${r.of}`}>
                    = {r.parts.reduce((a, b) => a + b, 0)}
                  </Text>
                </Table.Td>
                <Table.Td colSpan={2} />
              </Table.Tr>
            ),
          )}
          {escalated ? lineRow(escalated, 0, received, t('reports:funnel.note.cross_cutting'), null) : null}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ReachTables({ funnel, canDrill }: { funnel: Funnel; canDrill: boolean }) {
  const { t, i18n } = useTranslation(NS);
  const head = (first: string) => (
    <Table.Thead>
      <Table.Tr>
        <Table.Th scope="col">{first}</Table.Th>
        <Table.Th scope="col" ta="right">
          {t('reports:funnel.columns.attempts')}
        </Table.Th>
        <Table.Th scope="col" ta="right">
          {t('reports:funnel.columns.reached')}
        </Table.Th>
        <Table.Th scope="col" ta="right">
          {t('funnel.rate')}
        </Table.Th>
      </Table.Tr>
    </Table.Thead>
  );
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Stack gap="xs" component="section" aria-labelledby="reach-by-attempt">
        <Title order={3} size="h4" id="reach-by-attempt">
          {t('reports:funnel.reachByAttempt')}
        </Title>
        <Table verticalSpacing={6} withTableBorder data-testid="reach-by-attempt">
          {head(t('reports:funnel.columns.attemptNo'))}
          <Table.Tbody>
            {funnel.reachByAttempt.map((r) => (
              <Table.Tr key={r.attemptNo} data-attempt={r.attemptNo}>
                <Table.Th scope="row">{t('funnel.attemptNo', { n: r.attemptNo })}</Table.Th>
                <Table.Td ta="right">
                  <CountLink
                    n={r.attempts}
                    drill={{ line: 'phone_attempt', attemptNo: r.attemptNo }}
                    label={t('funnel.drill.phoneAttempt', { n: r.attemptNo })}
                    canDrill={canDrill}
                  />
                </Table.Td>
                <Table.Td ta="right">
                  <CountLink
                    n={r.reached}
                    drill={{ line: 'phone_attempt_reached', attemptNo: r.attemptNo }}
                    label={t('funnel.drill.phoneAttemptReached', { n: r.attemptNo })}
                    canDrill={canDrill}
                  />
                </Table.Td>
                <Table.Td ta="right">{formatPercent(r.rate, i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
      <Stack gap="xs" component="section" aria-labelledby="reach-by-part">
        <Title order={3} size="h4" id="reach-by-part">
          {t('reports:funnel.reachByPartOfDay')}
        </Title>
        <Table verticalSpacing={6} withTableBorder data-testid="reach-by-part">
          {head(t('reports:funnel.columns.partOfDay'))}
          <Table.Tbody>
            {funnel.reachByPartOfDay.map((r) => (
              <Table.Tr key={r.partOfDay} data-part={r.partOfDay}>
                <Table.Th scope="row">{partLabel(t, r.partOfDay)}</Table.Th>
                <Table.Td ta="right">{r.attempts}</Table.Td>
                <Table.Td ta="right">{r.reached}</Table.Td>
                <Table.Td ta="right">{formatPercent(r.rate, i18n.language)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </SimpleGrid>
  );
}

/** The contacts behind a count: pseudonymous references, each dossier a link to its page. */
function DrillDown({ programmeId, funnel, filter, drill }: { programmeId: string; funnel: Funnel; filter: FunnelFilter; drill: Drill }) {
  const { t } = useTranslation(NS);
  const [params] = useSearchParams();
  const changeParams = useChangeParams();
  const page = Math.max(1, Number(params.get('dpage')) || 1);
  const contacts = useFunnelContacts(programmeId, filter, drill, page, DRILL_PAGE_SIZE);
  const heading = useRef<HTMLHeadingElement>(null);
  const title = drillTitle(t, funnel, drill);
  const key = `${drill.line}-${drill.kind ?? ''}-${drill.attemptNo ?? ''}`;
  // A new list: the heading takes focus, so that the keyboard and the screen reader are there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus follows the list shown, named by its key
  useEffect(() => {
    heading.current?.focus();
  }, [key]);
  const setPage = (p: number) => changeParams({ dpage: p > 1 ? p : undefined }, { replace: false });
  const outcome = (o: string | null) => (o ? t(`outcome.${o}`, { defaultValue: o }) : '');
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="drill-title" data-testid="drill-down">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Title order={2} size="h3" id="drill-title" ref={heading} tabIndex={-1} className="page-title">
            {t('funnel.drill.title', { line: title })}
          </Title>
          <Button variant="default" size="xs" onClick={() => changeParams(Object.fromEntries(DRILL_PARAMS.map((k) => [k, undefined])), { replace: false })}>
            {t('funnel.drill.close')}
          </Button>
        </Group>
        <Text size="sm">{t('funnel.drill.intro')}</Text>
        <ProblemAlert error={contacts.error} />
        {contacts.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
        {contacts.data ? (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table striped verticalSpacing="sm" aria-busy={contacts.isFetching}>
                <Table.Caption>
                  <VisuallyHidden>{t('funnel.drill.caption', { line: title, page, total: contacts.data.total })}</VisuallyHidden>
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('funnel.drill.col.contact')}</Table.Th>
                    <Table.Th scope="col">{t('funnel.drill.col.dossier')}</Table.Th>
                    <Table.Th scope="col">{t('funnel.drill.col.municipality')}</Table.Th>
                    <Table.Th scope="col">{t('funnel.drill.col.received')}</Table.Th>
                    <Table.Th scope="col" ta="right">
                      {t('funnel.drill.col.attempts')}
                    </Table.Th>
                    <Table.Th scope="col">{t('funnel.drill.col.status')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {contacts.data.items.length === 0 ? (
                    <Table.Tr>
                      <Table.Td colSpan={6}>{t('funnel.drill.empty')}</Table.Td>
                    </Table.Tr>
                  ) : null}
                  {contacts.data.items.map((c) => (
                    <Table.Tr key={c.id} data-contact={c.ref}>
                      <Table.Th scope="row" className="mono">
                        {c.ref}
                      </Table.Th>
                      <Table.Td>
                        <Anchor component={Link} to={`/referrals/dossiers/${c.dossierId}?programme=${programmeId}`} className="mono">
                          {c.dossierRef}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{c.municipality ?? t('unknown')}</Table.Td>
                      <Table.Td className="nowrap">{formatDate(c.receivedAt)}</Table.Td>
                      <Table.Td ta="right">{c.attemptCount}</Table.Td>
                      <Table.Td>
                        {c.status === 'open'
                          ? c.reachedAt
                            ? t('funnel.drill.openReached', { at: formatDate(c.reachedAt) })
                            : t('funnel.drill.open')
                          : t('funnel.drill.closed', { outcome: outcome(c.outcome), at: c.closedAt ? formatDate(c.closedAt) : '' })}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager page={page} pageSize={DRILL_PAGE_SIZE} total={contacts.data.total} onChange={setPage} label={t('funnel.drill.pages', { line: title })} />
          </>
        ) : null}
      </Stack>
    </Card>
  );
}

export function FunnelPage() {
  const { t, i18n } = useTranslation(NS);
  const ctx = useProgrammeContext('reports.read');
  const [params] = useSearchParams();
  const changeParams = useChangeParams();
  const year = thisYear();
  const filter: FunnelFilter = { from: params.get('from') || year.from, to: params.get('to') || year.to, nisCode: params.get('nisCode') ?? '' };
  const funnel = useFunnel(ctx.programmeId, filter);
  const canDrill = useAllows('dossiers.read', ctx.programmeId);
  const drill = canDrill ? drillOf(params) : null;
  const fieldErrors = funnel.error instanceof ApiError ? funnel.error.fieldErrors() : {};
  const f = funnel.data;
  // A new filter starts the list of contacts again from its first page.
  const set = (changes: Record<string, string>) => changeParams({ ...changes, dpage: undefined });
  const municipalities = f?.municipalities ?? [];

  return (
    <Page title={t('funnel.title')} description={t('reports:funnel.cohort', { timeZone: 'Europe/Brussels' })}>
      <Group align="flex-start" wrap="wrap" role="search" aria-label={t('funnel.filters')}>
        {ctx.picker}
        {ctx.programmeId ? (
          <>
            <DateField
              label={t('funnel.from')}
              name="from"
              value={filter.from}
              onChange={(v) => v && set({ from: v })}
              error={fieldErrors['query.from']}
              w={160}
            />
            <DateField label={t('funnel.to')} name="to" value={filter.to} onChange={(v) => v && set({ to: v })} error={fieldErrors['query.to']} w={160} />
            <MunicipalitySelect
              label={t('reports:funnel.municipality')}
              allLabel={t('reports:funnel.allMunicipalities')}
              municipalities={municipalities}
              value={filter.nisCode}
              onChange={(v) => set({ nisCode: v })}
              error={fieldErrors['query.nisCode']}
            />
          </>
        ) : null}
      </Group>
      {ctx.programmeId && !f && funnel.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      <ProblemAlert error={funnel.error} />
      {f && ctx.programmeId ? (
        <>
          <Group justify="space-between" align="flex-end" wrap="wrap">
            <Text size="sm" aria-live="polite" data-testid="funnel-period">
              {t('funnel.showing', {
                from: isoToBelgian(f.period.from),
                to: isoToBelgian(f.period.to),
                municipality: f.municipality?.name ?? t('reports:funnel.allMunicipalities'),
              })}
            </Text>
            <Group gap="sm">
              <Button component="a" variant="default" href={funnelFileUrl(ctx.programmeId, filter, 'csv', i18n.language)} download data-testid="download-csv">
                {t('funnel.downloadCsv')}
              </Button>
              <Button component="a" variant="default" href={funnelFileUrl(ctx.programmeId, filter, 'xlsx', i18n.language)} download data-testid="download-xlsx">
                {t('funnel.downloadXlsx')}
              </Button>
            </Group>
          </Group>
          <Stack gap="xs" component="section" aria-labelledby="funnel-lines" aria-busy={funnel.isFetching}>
            <Title order={2} size="h3" id="funnel-lines">
              {t('funnel.lines')}
            </Title>
            <Text size="sm">{canDrill ? t('funnel.linesIntro') : t('funnel.linesIntroNoDrill')}</Text>
            <FunnelTable funnel={f} canDrill={canDrill} />
          </Stack>
          {drill ? <DrillDown programmeId={ctx.programmeId} funnel={f} filter={filter} drill={drill} /> : null}
          <Stack gap="xs" component="section" aria-labelledby="funnel-chart">
            <Title order={2} size="h3" id="funnel-chart">
              {t('funnel.chart.heading')}
            </Title>
            <Text size="sm">{t('funnel.chart.intro')}</Text>
            <FunnelChart funnel={f} />
          </Stack>
          <Stack gap="xs" component="section" aria-labelledby="funnel-reach">
            <Title order={2} size="h3" id="funnel-reach">
              {t('funnel.reach')}
            </Title>
            <ReachTables funnel={f} canDrill={canDrill} />
          </Stack>
        </>
      ) : null}
    </Page>
  );
}
