/**
 * `/outreach`: the caller's worklist. The contacts assigned to or claimed by the caller, in the
 * order of work (due follow-up calls, due next attempts, new contacts, not yet due), filtered by
 * municipality, language and where they stand; pseudonymous (a reference, never a name). The big
 * "Next contact" button (key N) claims the first due contact of the pool with the same filters and
 * opens its card. Coming back here drops the last card's identity from memory.
 */
import { Anchor, Button, Card, Group, Kbd, Loader, NativeSelect, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { isoToBelgian, MunicipalitySelect, Notice, Page, Pager, ProblemAlert, useProblem } from '../app/ui.tsx';
import { COMMON_LANGUAGES, languageLabel } from '../referrals/intake.ts';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import {
  cardUrl,
  forgetCards,
  formatTime,
  programmePath,
  rememberWorklist,
  stateLabel,
  useChangeParams,
  useMunicipalities,
  useOutreachSettings,
  useWorklist,
  WORK_STATES,
  type WorklistItem,
} from './outreach.ts';
import { KeyboardHelp, useShortcuts } from './WorklistKeyboard.tsx';

export const WORKLIST_PAGE_SIZE = 25;

/** When the contact is due, in words. */
function dueText(t: TFunction, item: WorklistItem): string {
  switch (item.state) {
    case 'follow_up':
      return t('worklist.due.followUp', { at: item.followUpAt ? formatDateTime(item.followUpAt) : '' });
    case 'in_progress':
      return item.reached ? t('worklist.due.reached') : t('worklist.due.attempt');
    case 'new':
      return t('worklist.due.new');
    default: {
      const at = item.followUpAt ?? item.nextDueAt;
      return at ? t(item.followUpAt ? 'worklist.due.followUpLater' : 'worklist.due.later', { at: formatDateTime(at) }) : t('worklist.due.new');
    }
  }
}

function holdText(t: TFunction, item: WorklistItem, me: boolean): string {
  if (item.leaseUntil && me) return t('worklist.heldUntil', { at: formatTime(item.leaseUntil) });
  if (item.assignedTo) return t('worklist.assigned');
  return '';
}

export function WorklistPage() {
  const { t, i18n } = useTranslation('outreach');
  const ctx = useProgrammeContext('outreach.work');
  const [params] = useSearchParams();
  const setParams = useChangeParams();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const problem = useProblem();
  const filter = {
    nisCode: params.get('nisCode') ?? '',
    language: params.get('language') ?? '',
    status: params.get('status') ?? '',
    page: Math.max(1, Number(params.get('page')) || 1),
    pageSize: WORKLIST_PAGE_SIZE,
  };
  const list = useWorklist(ctx.programmeId, filter);
  const municipalities = useMunicipalities(ctx.programmeId);
  const settings = useOutreachSettings(ctx.programmeId);
  const names = new Map(municipalities.map((m) => [m.nisCode, m.name]));

  // The identity of the last card, and its conversations' free text, leave memory here.
  useEffect(() => forgetCards(qc), [qc]);
  useEffect(() => {
    if (ctx.programmeId) rememberWorklist(location.search);
  }, [ctx.programmeId, location.search]);

  const claim = useMutation({
    mutationFn: () =>
      post<WorklistItem>(`${programmePath(ctx.programmeId as string)}/worklist/claim`, {
        ...(filter.nisCode ? { nisCode: filter.nisCode } : {}),
        ...(filter.language ? { language: filter.language } : {}),
      }),
    onMutate: () => {
      problem.clear();
      setNotice(null);
    },
    onError: problem.setError,
    onSuccess: async (item) => {
      await qc.invalidateQueries({ queryKey: ['worklist', ctx.programmeId] });
      navigate(cardUrl(item.id, ctx.search));
    },
  });
  const next = () => {
    if (ctx.programmeId && !claim.isPending) claim.mutate();
  };
  useShortcuts({ n: next }, !!ctx.programmeId);

  const languages = [...new Set([...COMMON_LANGUAGES, ...(filter.language ? [filter.language] : [])])];
  const setFilter = (changes: Record<string, string>) => setParams({ ...changes, page: undefined });

  return (
    <Page title={t('worklist.title')} description={t('worklist.intro')} actions={<KeyboardHelp shortcuts={[{ keys: ['N'], label: t('keyboard.next') }]} />}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end" wrap="wrap" role="search" aria-label={t('worklist.filters')}>
        {ctx.picker}
        {ctx.programmeId ? (
          <>
            <MunicipalitySelect
              label={t('worklist.municipality')}
              allLabel={t('worklist.allMunicipalities')}
              municipalities={municipalities}
              value={filter.nisCode}
              onChange={(v) => setFilter({ nisCode: v })}
            />
            <NativeSelect
              label={t('worklist.language')}
              name="language"
              value={filter.language}
              onChange={(e) => setFilter({ language: e.currentTarget.value })}
              data={[{ value: '', label: t('worklist.allLanguages') }, ...languages.map((l) => ({ value: l, label: languageLabel(l, i18n.language, t) }))]}
              w={200}
            />
            <NativeSelect
              label={t('worklist.status')}
              name="status"
              value={filter.status}
              onChange={(e) => setFilter({ status: e.currentTarget.value })}
              data={[{ value: '', label: t('worklist.allStates') }, ...WORK_STATES.map((s) => ({ value: s, label: stateLabel(t, s) }))]}
              w={240}
            />
          </>
        ) : null}
      </Group>
      {ctx.programmeId ? (
        <Card withBorder padding="lg" bg="blue.0" component="section" aria-labelledby="next-contact-heading">
          <Group justify="space-between" wrap="wrap" gap="md">
            <Stack gap={4} maw={620}>
              <Text fw={700} id="next-contact-heading">
                {t('worklist.nextTitle')}
              </Text>
              <Text size="sm">
                {t('worklist.nextIntro', { minutes: settings.data?.leaseMinutes ?? 30 })}
                {filter.nisCode || filter.language ? ` ${t('worklist.nextFiltered')}` : ''}
              </Text>
            </Stack>
            <Button size="lg" onClick={next} loading={claim.isPending} aria-keyshortcuts="N" data-testid="next-contact">
              {t('worklist.next')}
              <Kbd ml="sm" size="sm" aria-hidden="true">
                N
              </Kbd>
            </Button>
          </Group>
          <Stack mt={problem.error ? 'md' : 0}>
            <ProblemAlert error={problem.error} />
          </Stack>
        </Card>
      ) : null}
      {ctx.programmeId && list.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      <ProblemAlert error={list.error} />
      {list.data ? (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={960}>
            <Table striped verticalSpacing="sm" aria-busy={list.isFetching} data-testid="worklist">
              <Table.Caption>
                <VisuallyHidden>{t('worklist.caption', { page: filter.page, total: list.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('worklist.col.contact')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.state')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.due')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.municipality')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.language')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.attempts')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.phone')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.facts')}</Table.Th>
                  <Table.Th scope="col">{t('worklist.col.held')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={9}>{t('worklist.empty')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {list.data.items.map((item) => (
                  <Table.Tr key={item.id} data-contact={item.ref} data-state={item.state}>
                    <Table.Th scope="row">
                      <Anchor
                        component={Link}
                        to={cardUrl(item.id, ctx.search)}
                        fw={700}
                        className="mono nowrap"
                        aria-label={t('worklist.open', { ref: item.ref })}
                      >
                        {item.ref}
                      </Anchor>
                    </Table.Th>
                    <Table.Td>
                      <Text size="sm" fw={item.state === 'not_due' ? 400 : 700}>
                        {stateLabel(t, item.state)}
                      </Text>
                      {item.reached ? (
                        <Text size="xs" c="dimmed">
                          {t('worklist.reached')}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{dueText(t, item)}</Text>
                    </Table.Td>
                    <Table.Td>{(item.nisCode && names.get(item.nisCode)) || item.municipality || t('unknown')}</Table.Td>
                    <Table.Td>{languageLabel(item.language, i18n.language, t)}</Table.Td>
                    <Table.Td className="nowrap">
                      {settings.data ? t('worklist.attemptsOf', { n: item.attemptCount, max: settings.data.maxAttempts }) : item.attemptCount}
                    </Table.Td>
                    <Table.Td>
                      {item.hasPhone ? (
                        <Text size="sm">{t('worklist.hasPhone')}</Text>
                      ) : (
                        <Text size="sm" fw={700} c="red.9">
                          <span aria-hidden="true">⚠ </span>
                          {t('worklist.noPhone')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td className="nowrap">{item.factsOn ? isoToBelgian(item.factsOn) : t('unknown')}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{holdText(t, item, !!item.leasedBy)}</Text>
                      <Text size="xs" c="dimmed">
                        {t('worklist.received', { at: formatDate(item.receivedAt) })}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={filter.page}
            pageSize={WORKLIST_PAGE_SIZE}
            total={list.data.total}
            onChange={(p) => setParams({ page: p > 1 ? p : undefined }, { replace: false })}
            label={t('worklist.pages')}
          />
        </Stack>
      ) : null}
    </Page>
  );
}
