/**
 * The dossiers of a programme, pseudonymous (a reference, never a name): the green ones, which go
 * to the outreach, and apart from them the coordinator's separate list of orange and red ones
 * (higher risk: the chain approach with Veilig Huis), red first. A municipality filter.
 */
import { Anchor, Button, Group, Loader, Stack, Table, Tabs, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { get, queryString } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import type { Paged } from '../app/types.ts';
import { isoToBelgian, MunicipalitySelect, Page, Pager, ProblemAlert } from '../app/ui.tsx';
import { useProjects } from '../organisations/queries.ts';
import { ColourBadge } from './IntakeBits.tsx';
import { type Colour, type Dossier, relationLabel } from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

export const DOSSIERS_PAGE_SIZE = 25;

export function minorsLabel(t: (k: string) => string, v: boolean | null): string {
  return v === null ? t('unknown') : v ? t('yes') : t('no');
}

function DossierTable({
  programmeId,
  search,
  colour,
  nisCode,
  pageParam,
  caption,
  names,
}: {
  /** The project's name of each municipality by NIS code: one spelling, whatever the export wrote. */
  names: ReadonlyMap<string, string>;
  programmeId: string;
  search: string;
  colour: Colour;
  nisCode: string;
  pageParam: string;
  caption: string;
}) {
  const { t } = useTranslation('intake');
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get(pageParam)) || 1);
  const filter = { colour, nisCode, page, pageSize: DOSSIERS_PAGE_SIZE };
  const dossiers = useQuery({
    queryKey: ['dossiers', programmeId, 'list', filter],
    queryFn: () => get<Paged<Dossier>>(`/api/programmes/${programmeId}/dossiers${queryString(filter)}`),
    placeholderData: (prev) => prev,
  });
  const setPage = (p: number) =>
    setParams((old) => {
      const n = new URLSearchParams(old);
      if (p > 1) n.set(pageParam, String(p));
      else n.delete(pageParam);
      return n;
    });
  if (dossiers.isPending) return <Loader size="sm" aria-label={t('app:loading')} />;
  if (dossiers.isError) return <ProblemAlert error={dossiers.error} />;
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="sm" aria-busy={dossiers.isFetching} data-testid={`dossiers-${colour}`}>
          <Table.Caption>
            <VisuallyHidden>{t('dossiers.caption', { what: caption, page, total: dossiers.data.total })}</VisuallyHidden>
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('dossiers.col.ref')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.colour')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.municipality')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.relation')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.minors')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.facts')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.received')}</Table.Th>
              <Table.Th scope="col">{t('dossiers.col.contacts')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {dossiers.data.items.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={8}>{t('dossiers.empty')}</Table.Td>
              </Table.Tr>
            ) : null}
            {dossiers.data.items.map((d) => (
              <Table.Tr key={d.id} data-dossier={d.ref}>
                <Table.Td>
                  <Anchor component={Link} to={`/referrals/dossiers/${d.id}${search}`} fw={600} className="mono">
                    {d.ref}
                  </Anchor>
                  {d.source === 'manual' ? (
                    <Text size="xs" c="dimmed">
                      {t('dossiers.manual')}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <ColourBadge colour={d.colour} />
                </Table.Td>
                <Table.Td>{(d.nisCode && names.get(d.nisCode)) || d.municipality || t('unknown')}</Table.Td>
                <Table.Td>{relationLabel(t, d.relation)}</Table.Td>
                <Table.Td>{minorsLabel(t, d.minorsPresent)}</Table.Td>
                <Table.Td className="nowrap">{d.factsOn ? isoToBelgian(d.factsOn) : t('unknown')}</Table.Td>
                <Table.Td className="nowrap">{formatDate(d.receivedAt)}</Table.Td>
                <Table.Td className="nowrap">{t('dossiers.contactsOpen', { n: d.contacts, open: d.openContacts })}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} pageSize={DOSSIERS_PAGE_SIZE} total={dossiers.data.total} onChange={setPage} label={t('dossiers.pages', { what: caption })} />
    </Stack>
  );
}

export function DossiersPage() {
  const { t } = useTranslation('intake');
  const { can } = useSession();
  const ctx = useProgrammeContext('dossiers.read');
  const [params, setParams] = useSearchParams();
  const list = params.get('list') === 'separate' ? 'separate' : 'green';
  const nisCode = params.get('nisCode') ?? '';
  const projects = useProjects(can('projects.read'));
  const municipalities = projects.data?.items.find((p) => p.id === ctx.programme?.projectId)?.municipalities ?? [];
  const names = new Map(municipalities.map((m) => [m.nisCode, m.name]));
  const set = (changes: Record<string, string>) =>
    setParams(
      () => {
        // The address as it is now, not the params of the last render: react-router hands those to
        // a functional update, so a filter chosen right after a tab change brought the old tab back.
        const n = new URLSearchParams(window.location.search);
        for (const [k, v] of Object.entries(changes)) {
          if (v) n.set(k, v);
          else n.delete(k);
        }
        for (const k of ['page', 'redPage', 'orangePage']) n.delete(k);
        return n;
      },
      { replace: true },
    );

  return (
    <Page
      title={t('dossiers.title')}
      description={t('dossiers.intro')}
      actions={
        can('dossiers.create') && ctx.programmeId ? (
          <Button component={Link} to={`/referrals/dossiers/new${ctx.search}`}>
            {t('dossiers.new')}
          </Button>
        ) : null
      }
    >
      <Group align="flex-end" wrap="wrap" role="search" aria-label={t('dossiers.filters')}>
        {ctx.picker}
        {ctx.programmeId && municipalities.length ? (
          <MunicipalitySelect
            label={t('dossiers.municipality')}
            allLabel={t('dossiers.allMunicipalities')}
            municipalities={municipalities}
            value={nisCode}
            onChange={(v) => set({ nisCode: v })}
            w={260}
          />
        ) : null}
      </Group>
      {ctx.programmeId ? (
        <Tabs value={list} onChange={(v) => set({ list: v === 'separate' ? 'separate' : '' })} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="green">{t('dossiers.greenTab')}</Tabs.Tab>
            <Tabs.Tab value="separate">{t('dossiers.separateTab')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="green" pt="md">
            <Stack gap="sm">
              <Text size="sm">{t('dossiers.greenIntro')}</Text>
              <DossierTable
                names={names}
                programmeId={ctx.programmeId}
                search={ctx.search}
                colour="green"
                nisCode={nisCode}
                pageParam="page"
                caption={t('dossiers.greenTab')}
              />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="separate" pt="md">
            <Stack gap="lg">
              <Text size="sm">{t('dossiers.separateIntro')}</Text>
              <Stack gap="sm">
                <Title order={2} size="h3">
                  {t('dossiers.redTitle')}
                </Title>
                <DossierTable
                  names={names}
                  programmeId={ctx.programmeId}
                  search={ctx.search}
                  colour="red"
                  nisCode={nisCode}
                  pageParam="redPage"
                  caption={t('dossiers.redTitle')}
                />
              </Stack>
              <Stack gap="sm">
                <Title order={2} size="h3">
                  {t('dossiers.orangeTitle')}
                </Title>
                <DossierTable
                  names={names}
                  programmeId={ctx.programmeId}
                  search={ctx.search}
                  colour="orange"
                  nisCode={nisCode}
                  pageParam="orangePage"
                  caption={t('dossiers.orangeTitle')}
                />
              </Stack>
            </Stack>
          </Tabs.Panel>
        </Tabs>
      ) : null}
    </Page>
  );
}
