/**
 * One version of a programme's scenario (`/outreach/scenarios/:scenarioId`, scenarios.manage): a
 * published or retired version (or the guide shipped with Haven) as a read-only preview; the
 * draft in the structured editor, with a preview of what is being written, saved as a whole
 * (field errors at their field) and published after a confirmation (saved first if changed).
 */
import { Anchor, Box, Button, Group, Loader, Stack, Tabs, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { post, put } from '../app/api.ts';
import { ConfirmDialog, Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { NS, type Scenario, scenariosKey, scenariosPath, useScenario } from './outreach-admin.ts';
import { ScenarioEditor } from './ScenarioEditor.tsx';
import { ScenarioPreview } from './ScenarioPreview.tsx';
import { VersionStatusBadge, versionName } from './ScenariosPage.tsx';
import { errorsByUid, hasGerman, type ScenarioModel, toDefinition, toModel } from './scenario-model.ts';

function DraftEditor({ programmeId, scenario, search }: { programmeId: string; scenario: Scenario; search: string }) {
  const { t } = useTranslation(NS);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [model, setModel] = useState<ScenarioModel>(() => toModel(scenario.definition));
  const [german, setGerman] = useState(() => hasGerman(model));
  const [dirty, setDirty] = useState(false);
  const [sent, setSent] = useState<ScenarioModel>(model);
  const [tab, setTab] = useState<string>('edit');
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const problem = useProblem();
  const errors = errorsByUid(problem.fields, sent);
  const path = `${scenariosPath(programmeId)}/${scenario.id}`;

  // Closing the tab or reloading with unsaved changes: the browser asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const change = (m: ScenarioModel) => {
    setModel(m);
    setDirty(true);
    setNotice(null);
  };
  const saveNow = async () => {
    setSent(model);
    const saved = await put<Scenario>(path, { definition: toDefinition(model) });
    qc.setQueryData([...scenariosKey(programmeId), scenario.id], saved);
    setDirty(false);
    return saved;
  };
  const save = useMutation({
    mutationFn: saveNow,
    onMutate: () => problem.clear(),
    onError: (e) => {
      setTab('edit');
      problem.setError(e);
    },
    onSuccess: () => setNotice(t('scenarios.saved', { n: scenario.version })),
  });
  const publish = useMutation({
    mutationFn: async () => {
      if (dirty) await saveNow();
      return post<Scenario>(`${path}/publish`);
    },
    onMutate: () => problem.clear(),
    onError: (e) => {
      setConfirming(false);
      setTab('edit');
      problem.setError(e);
    },
    onSuccess: async (s) => {
      await qc.invalidateQueries({ queryKey: scenariosKey(programmeId) });
      navigate(`/outreach/scenarios${search}`, { state: { notice: t('scenarios.published', { n: s.version }) } });
    },
  });

  const actions = (
    <Group gap="sm">
      <Text size="sm" fw={dirty ? 700 : 400} aria-live="polite" data-testid="draft-state">
        {dirty ? t('scenarios.unsaved') : t('scenarios.noChanges')}
      </Text>
      <Button variant="default" onClick={() => save.mutate()} loading={save.isPending}>
        {t('scenarios.save')}
      </Button>
      <Button onClick={() => setConfirming(true)}>{t('scenarios.publish.action')}</Button>
    </Group>
  );
  return (
    <Stack gap="md">
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <ProblemAlert error={problem.error} />
      <Group justify="space-between" align="center" wrap="wrap">
        <Text size="sm">{t('scenarios.draftIntro')}</Text>
        {actions}
      </Group>
      <Tabs value={tab} onChange={(v) => setTab(v ?? 'edit')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="edit">{t('scenarios.tab.edit')}</Tabs.Tab>
          <Tabs.Tab value="preview">{t('scenarios.tab.preview')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="edit" pt="md">
          <ScenarioEditor model={model} onChange={change} errors={errors} german={german} onGerman={setGerman} />
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="md">
          <ScenarioPreview definition={toDefinition(model)} />
        </Tabs.Panel>
      </Tabs>
      <Box>{actions}</Box>
      <ConfirmDialog
        opened={confirming}
        title={t('scenarios.publish.title', { n: scenario.version })}
        confirmLabel={t('scenarios.publish.confirm')}
        busy={publish.isPending}
        onConfirm={() => publish.mutate()}
        onClose={() => setConfirming(false)}
      >
        {dirty ? `${t('scenarios.publish.text')} ${t('scenarios.publish.savesFirst')}` : t('scenarios.publish.text')}
      </ConfirmDialog>
    </Stack>
  );
}

/** `/outreach/scenarios/:scenarioId` */
export function ScenarioPage() {
  const { t } = useTranslation(NS);
  const { scenarioId = '' } = useParams();
  const ctx = useProgrammeContext('scenarios.manage');
  const scenario = useScenario(ctx.programmeId, scenarioId);
  const s = scenario.data;
  const title = s ? (s.status === 'draft' ? t('scenarios.draftTitle', { n: s.version }) : versionName(t, s)) : t('scenarios.loadingTitle');
  return (
    <Page title={title}>
      <Box>
        <Anchor component={Link} to={`/outreach/scenarios${ctx.search}`} size="sm">
          {t('scenarios.back')}
        </Anchor>
      </Box>
      {ctx.programmeId ? null : ctx.picker}
      <ProblemAlert error={scenario.error} />
      {ctx.programmeId && scenario.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {s && ctx.programmeId ? (
        s.status === 'draft' ? (
          <DraftEditor key={s.id} programmeId={ctx.programmeId} scenario={s} search={ctx.search} />
        ) : (
          <Stack gap="md">
            <Group gap="sm">
              <VersionStatusBadge version={s} />
              <Text size="sm">
                {s.isDefault ? t('scenarios.isDefault') : null}
                {s.publishedAt ? ` ${t('scenarios.publishedOn', { at: formatDateTime(s.publishedAt) })}` : ''}
              </Text>
            </Group>
            <Text size="sm">{t('scenarios.readOnly')}</Text>
            <ScenarioPreview definition={s.definition} />
          </Stack>
        )
      ) : null}
    </Page>
  );
}
