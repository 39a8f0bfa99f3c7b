/**
 * The imports of a programme, newest first: which file, from which police zone, who uploaded it,
 * when, where it stands and what it gave. A file still being read shows its progress, polled,
 * so that it can be followed from here after a reload. A police liaison sees their own uploads.
 */
import { Anchor, Button, Group, Loader, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { get, queryString } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import type { Paged } from '../app/types.ts';
import { Notice, Page, Pager, ProblemAlert } from '../app/ui.tsx';
import { ImportStatusBadge, ReadingProgress } from './IntakeBits.tsx';
import { type Import, importsPath, POLL_MS } from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

export const IMPORTS_PAGE_SIZE = 25;

function Figures({ imp }: { imp: Import }) {
  const { t } = useTranslation('intake');
  if (imp.status === 'parsing') return <ReadingProgress rowsRead={imp.rowsRead} label={t('progress.readingNamed', { file: imp.fileName })} />;
  const c = imp.counts;
  if (!c) return <Text size="sm">–</Text>;
  const setAside = Object.values(c.setAside).reduce((a, b) => a + b, 0);
  return (
    <Stack gap={0}>
      <Text size="sm">{t('imports.figures.rows', { n: c.rows })}</Text>
      <Text size="sm">{t('imports.figures.accepted', { n: c.accepted })}</Text>
      <Text size="sm">{t('imports.figures.setAside', { n: setAside })}</Text>
      <Text size="sm">{t(imp.status === 'committed' ? 'imports.figures.contactsCreated' : 'imports.figures.contacts', { n: c.contacts })}</Text>
    </Stack>
  );
}

export function ImportsPage() {
  const { t } = useTranslation('intake');
  const { can } = useSession();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const ctx = useProgrammeContext('imports.read');
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const filter = { page, pageSize: IMPORTS_PAGE_SIZE };
  const imports = useQuery({
    queryKey: ['imports', ctx.programmeId, 'list', filter],
    queryFn: () => get<Paged<Import>>(`${importsPath(ctx.programmeId as string)}${queryString(filter)}`),
    enabled: !!ctx.programmeId,
    placeholderData: (prev) => prev,
    // A file being read: follow it.
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'parsing' || i.status === 'awaiting_file') ? POLL_MS : false),
  });
  const setPage = (p: number) =>
    setParams((old) => {
      const n = new URLSearchParams(old);
      if (p > 1) n.set('page', String(p));
      else n.delete('page');
      return n;
    });

  return (
    <Page
      title={t('imports.title')}
      description={t('imports.intro')}
      actions={
        can('imports.create') && ctx.programmeId ? (
          <Button component={Link} to={`/referrals/imports/new${ctx.search}`}>
            {t('imports.new')}
          </Button>
        ) : null
      }
    >
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end">{ctx.picker}</Group>
      <ProblemAlert error={imports.error} />
      {ctx.programmeId && imports.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {imports.data ? (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped verticalSpacing="sm" aria-busy={imports.isFetching}>
              <Table.Caption>
                <VisuallyHidden>{t('imports.caption', { page, total: imports.data.total })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('imports.col.file')}</Table.Th>
                  <Table.Th scope="col">{t('imports.col.sender')}</Table.Th>
                  <Table.Th scope="col">{t('imports.col.uploadedBy')}</Table.Th>
                  <Table.Th scope="col">{t('imports.col.date')}</Table.Th>
                  <Table.Th scope="col">{t('imports.col.status')}</Table.Th>
                  <Table.Th scope="col">{t('imports.col.figures')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {imports.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={6}>{t('imports.empty')}</Table.Td>
                  </Table.Tr>
                ) : null}
                {imports.data.items.map((imp) => (
                  <Table.Tr key={imp.id} data-import={imp.id} data-status={imp.status}>
                    <Table.Td>
                      <Anchor component={Link} to={`/referrals/imports/${imp.id}${ctx.search}`} fw={600} style={{ wordBreak: 'break-all' }}>
                        {imp.fileName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{imp.senderName}</Table.Td>
                    <Table.Td>{imp.uploadedByName ?? t('imports.unknownUser')}</Table.Td>
                    <Table.Td className="nowrap">{formatDateTime(imp.createdAt)}</Table.Td>
                    <Table.Td>
                      <ImportStatusBadge status={imp.status} />
                    </Table.Td>
                    <Table.Td miw={200}>
                      <Figures imp={imp} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={IMPORTS_PAGE_SIZE} total={imports.data.total} onChange={setPage} label={t('imports.pages')} />
        </>
      ) : null}
    </Page>
  );
}
