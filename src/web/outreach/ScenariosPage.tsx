/**
 * The conversation scenario of a programme (`/outreach/scenarios`, scenarios.manage): the version
 * new conversations use now (the programme's own published one, else the guide shipped with
 * Haven), every version with its status in words, a new draft started from the version in use,
 * and each version opened for a read-only preview, or the draft for editing.
 */
import { Anchor, Badge, Button, Card, Group, Loader, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { formatDate, formatDateTime } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { NS, type Scenario, type ScenarioVersion, scenariosKey, scenariosPath, useScenarios } from './outreach-admin.ts';
import { previewLocale } from './ScenarioPreview.tsx';

/** Dark enough for small text; the status is always in words. */
const STATUS_COLOUR = { draft: '#a33a0b', published: 'teal.9', retired: 'gray.8' } as const;

export function VersionStatusBadge({ version: v }: { version: ScenarioVersion }) {
  const { t } = useTranslation(NS);
  return (
    <Badge color={STATUS_COLOUR[v.status]} size="md" className="nowrap" data-status={v.status}>
      {t(`scenarios.status.${v.status}`)}
    </Badge>
  );
}

/** "Version 3", or "Version 1 of the guide shipped with Haven". */
export const versionName = (t: TFunction, v: ScenarioVersion) =>
  v.isDefault ? t(`${NS}:scenarios.defaultVersion`, { n: v.version }) : t(`${NS}:scenarios.version`, { n: v.version });

export function ScenariosPage() {
  const { t, i18n } = useTranslation(NS);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const ctx = useProgrammeContext('scenarios.manage');
  const programmeId = ctx.programmeId;
  const scenarios = useScenarios(programmeId);
  const problem = useProblem();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const versions = scenarios.data?.versions ?? [];
  const draft = versions.find((v) => v.status === 'draft' && !v.isDefault);
  const current = scenarios.data?.current;
  const open = (v: ScenarioVersion) => `/outreach/scenarios/${v.id}${ctx.search}`;

  const start = useMutation({
    mutationFn: () => post<Scenario>(scenariosPath(programmeId as string)),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (s) => {
      await qc.invalidateQueries({ queryKey: scenariosKey(programmeId) });
      navigate(open(s), { state: { notice: t('scenarios.draftStarted', { n: s.version }) } });
    },
  });

  return (
    <Page title={t('scenarios.title')} description={t('scenarios.intro')}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end">{ctx.picker}</Group>
      <ProblemAlert error={scenarios.error ?? problem.error} />
      {programmeId && scenarios.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {current ? (
        <Card withBorder padding="lg" component="section" aria-labelledby="scenario-current">
          <Stack gap="sm">
            <Title order={2} size="h3" id="scenario-current">
              {t('scenarios.current')}
            </Title>
            <Group gap="sm">
              <Text fw={700} data-testid="current-scenario">
                {current.definition.title[previewLocale(i18n.language, current.definition)]} · {versionName(t, current)}
              </Text>
              <VersionStatusBadge version={current} />
            </Group>
            <Text size="sm">
              {current.isDefault
                ? t('scenarios.currentIsDefault')
                : t('scenarios.currentPublished', { at: current.publishedAt ? formatDateTime(current.publishedAt) : '' })}
            </Text>
            <Group gap="sm">
              <Button component={Link} to={open(current)} variant="default">
                {t('scenarios.previewAction')}
              </Button>
              {draft ? (
                <Button component={Link} to={open(draft)}>
                  {t('scenarios.continueDraft', { n: draft.version })}
                </Button>
              ) : (
                <Button onClick={() => start.mutate()} loading={start.isPending}>
                  {t('scenarios.newDraft')}
                </Button>
              )}
            </Group>
            {draft ? null : (
              <Text size="sm" c="dimmed">
                {t('scenarios.newDraftHint')}
              </Text>
            )}
          </Stack>
        </Card>
      ) : null}
      {versions.length ? (
        <Stack gap="xs" component="section" aria-labelledby="scenario-versions">
          <Title order={2} size="h3" id="scenario-versions">
            {t('scenarios.versions')}
          </Title>
          <Table.ScrollContainer minWidth={720}>
            <Table striped verticalSpacing="sm" data-testid="scenario-versions">
              <Table.Caption>
                <VisuallyHidden>{t('scenarios.versionsCaption', { programme: ctx.programme?.name ?? '' })}</VisuallyHidden>
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('scenarios.col.version')}</Table.Th>
                  <Table.Th scope="col">{t('scenarios.col.status')}</Table.Th>
                  <Table.Th scope="col">{t('scenarios.col.created')}</Table.Th>
                  <Table.Th scope="col">{t('scenarios.col.published')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('scenarios.col.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {versions.map((v) => (
                  <Table.Tr key={v.id} data-version={v.version} data-status={v.status} data-default={v.isDefault || undefined}>
                    <Table.Th scope="row">
                      {versionName(t, v)}
                      {current?.id === v.id ? (
                        <Text size="xs" fw={700}>
                          {t('scenarios.inUse')}
                        </Text>
                      ) : null}
                    </Table.Th>
                    <Table.Td>
                      <VersionStatusBadge version={v} />
                    </Table.Td>
                    <Table.Td className="nowrap">{formatDate(v.createdAt)}</Table.Td>
                    <Table.Td className="nowrap">{v.publishedAt ? formatDate(v.publishedAt) : '—'}</Table.Td>
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={open(v)}
                        aria-label={t(v.status === 'draft' ? 'scenarios.editNamed' : 'scenarios.previewNamed', { name: versionName(t, v) })}
                      >
                        {v.status === 'draft' ? t('scenarios.edit') : t('scenarios.previewAction')}
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      ) : null}
    </Page>
  );
}
