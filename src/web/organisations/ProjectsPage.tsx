import { Badge, Button, Card, Group, Loader, Modal, MultiSelect, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { programmeKindLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import { PROGRAMME_KINDS, type Programme, type ProgrammeKind, type Project } from '../app/types.ts';
import { DateField, Notice, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useOrganisations, useProjects } from './queries.ts';

/** "Proactieve contactname Genk" → "proactieve-contactname-genk" */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

function useSlug(name: string) {
  const [slug, setSlug] = useState('');
  const [touched, setTouched] = useState(false);
  return {
    value: touched ? slug : slugify(name),
    onChange: (v: string) => {
      setTouched(true);
      setSlug(v);
    },
  };
}

interface MunicipalityDraft {
  nisCode: string;
  name: string;
}

function ProjectForm({ onClose, onSaved }: { onClose: () => void; onSaved: (p: Project) => void }) {
  const { t } = useTranslation('organisations');
  const qc = useQueryClient();
  const organisations = useOrganisations();
  const [name, setName] = useState('');
  const slug = useSlug(name);
  const [coordinatingOrganisationId, setCoordinator] = useState('');
  const [startsOn, setStartsOn] = useState<string | null>('');
  const [endsOn, setEndsOn] = useState<string | null>('');
  const [partnerIds, setPartners] = useState<string[]>([]);
  const [municipalities, setMunicipalities] = useState<MunicipalityDraft[]>([]);
  const problem = useProblem();
  const orgOptions = (organisations.data?.items ?? []).filter((o) => o.active).map((o) => ({ value: o.id, label: o.name }));

  const save = useMutation({
    mutationFn: () =>
      post<Project>('/api/projects', {
        name,
        slug: slug.value,
        ...(coordinatingOrganisationId ? { coordinatingOrganisationId } : {}),
        startsOn: startsOn || null,
        endsOn: endsOn || null,
        municipalities: municipalities.filter((m) => m.nisCode || m.name),
        partnerIds,
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      await qc.invalidateQueries({ queryKey: ['projects'] });
      await qc.invalidateQueries({ queryKey: ['programmes'] });
      onSaved(p);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (startsOn === null || endsOn === null) return;
    save.mutate();
  };
  const updateMunicipality = (i: number, patch: Partial<MunicipalityDraft>) =>
    setMunicipalities((list) => list.map((m, j) => (j === i ? { ...m, ...patch } : m)));

  return (
    <Modal opened onClose={onClose} title={t('projects.newTitle')} size="xl" closeButtonProps={{ 'aria-label': t('app:action.close') }}>
      <form onSubmit={submit} noValidate aria-label={t('projects.newTitle')}>
        <Stack>
          <ProblemAlert error={problem.error} />
          <TextInput
            label={t('fields.name')}
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={problem.fields.name}
            data-autofocus
          />
          <TextInput
            label={t('fields.slug')}
            description={t('fields.slugHint')}
            name="slug"
            required
            value={slug.value}
            onChange={(e) => slug.onChange(e.currentTarget.value)}
            error={problem.fields.slug}
          />
          <NativeSelect
            label={t('projects.coordinator')}
            name="coordinatingOrganisationId"
            required
            value={coordinatingOrganisationId}
            onChange={(e) => setCoordinator(e.currentTarget.value)}
            data={[{ value: '', label: t('projects.chooseOrganisation') }, ...orgOptions]}
            error={problem.fields.coordinatingOrganisationId}
          />
          <Group grow align="flex-start">
            <DateField label={t('projects.startsOn')} name="startsOn" value={startsOn} onChange={setStartsOn} error={problem.fields.startsOn} />
            <DateField label={t('projects.endsOn')} name="endsOn" value={endsOn} onChange={setEndsOn} error={problem.fields.endsOn} />
          </Group>
          <MultiSelect
            label={t('projects.partners')}
            description={t('projects.partnersHint')}
            data={orgOptions}
            value={partnerIds}
            onChange={setPartners}
            searchable
            clearable
            nothingFoundMessage={t('projects.nothingFound')}
            error={Object.entries(problem.fields).find(([k]) => k.startsWith('partnerIds'))?.[1]}
          />
          <Stack gap="xs" role="group" aria-labelledby="municipalities-label">
            <Text fw={600} id="municipalities-label">
              {t('projects.municipalities')}
            </Text>
            {municipalities.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
              <Group key={i} align="flex-start" gap="sm">
                <TextInput
                  label={t('projects.municipalityNis', { n: i + 1 })}
                  inputMode="numeric"
                  maxLength={5}
                  w={160}
                  value={m.nisCode}
                  onChange={(e) => updateMunicipality(i, { nisCode: e.currentTarget.value })}
                  error={problem.fields[`municipalities.${i}.nisCode`]}
                />
                <TextInput
                  label={t('projects.municipalityName', { n: i + 1 })}
                  w={260}
                  value={m.name}
                  onChange={(e) => updateMunicipality(i, { name: e.currentTarget.value })}
                  error={problem.fields[`municipalities.${i}.name`]}
                />
                <Button variant="default" mt={25} onClick={() => setMunicipalities((list) => list.filter((_, j) => j !== i))}>
                  {t('projects.removeMunicipality', { n: i + 1 })}
                </Button>
              </Group>
            ))}
            <Group>
              <Button variant="default" onClick={() => setMunicipalities((list) => [...list, { nisCode: '', name: '' }])}>
                {t('projects.addMunicipality')}
              </Button>
            </Group>
          </Stack>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('app:action.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('projects.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ProgrammeForm({ project, onClose, onSaved }: { project: Project; onClose: () => void; onSaved: (p: Programme) => void }) {
  const { t } = useTranslation('organisations');
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const slug = useSlug(name);
  const [kind, setKind] = useState<ProgrammeKind>('outreach');
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => post<Programme>(`/api/projects/${project.id}/programmes`, { name, slug: slug.value, kind }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      await qc.invalidateQueries({ queryKey: ['projects'] });
      await qc.invalidateQueries({ queryKey: ['programmes'] });
      onSaved(p);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const title = t('programmes.newTitle', { project: project.name });
  return (
    <Modal opened onClose={onClose} title={title} size="lg" closeButtonProps={{ 'aria-label': t('app:action.close') }}>
      <form onSubmit={submit} noValidate aria-label={title}>
        <Stack>
          <ProblemAlert error={problem.error} />
          <TextInput
            label={t('fields.name')}
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={problem.fields.name}
            data-autofocus
          />
          <TextInput
            label={t('fields.slug')}
            description={t('fields.slugHint')}
            name="slug"
            required
            value={slug.value}
            onChange={(e) => slug.onChange(e.currentTarget.value)}
            error={problem.fields.slug}
          />
          <NativeSelect
            label={t('programmes.kind')}
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as ProgrammeKind)}
            data={PROGRAMME_KINDS.map((k) => ({ value: k, label: programmeKindLabel(t, k) }))}
            error={problem.fields.kind}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('app:action.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('programmes.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function period(p: Project, t: TFunction): string {
  if (p.startsOn && p.endsOn) return t('projects.period', { from: formatDate(p.startsOn), to: formatDate(p.endsOn) });
  if (p.startsOn) return t('projects.since', { from: formatDate(p.startsOn) });
  if (p.endsOn) return t('projects.until', { to: formatDate(p.endsOn) });
  return t('projects.noPeriod');
}

export function ProjectsPage() {
  const { t } = useTranslation('organisations');
  const { can } = useSession();
  const projects = useProjects();
  const [creating, setCreating] = useState(false);
  const [addingTo, setAddingTo] = useState<Project | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const manage = can('projects.manage');

  return (
    <Page
      title={t('projects.title')}
      description={t('projects.intro')}
      actions={manage ? <Button onClick={() => setCreating(true)}>{t('projects.new')}</Button> : null}
    >
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <ProblemAlert error={projects.error} />
      {projects.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {projects.data && projects.data.items.length === 0 ? <Text>{t('projects.empty')}</Text> : null}
      {projects.data?.items.map((p) => (
        <Card key={p.id} withBorder padding="lg" component="section" aria-labelledby={`project-${p.id}`}>
          <Stack>
            <Group justify="space-between" align="flex-start">
              <Stack gap={2}>
                <Title order={2} size="h3" id={`project-${p.id}`}>
                  {p.name}
                </Title>
                <Text size="sm" c="dimmed">
                  {t('projects.coordinatedBy', { organisation: p.coordinatingOrganisationName })} · {period(p, t)}
                </Text>
              </Stack>
              {manage ? (
                <Button variant="default" onClick={() => setAddingTo(p)} aria-label={t('programmes.addTo', { project: p.name })}>
                  {t('programmes.add')}
                </Button>
              ) : null}
            </Group>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Stack gap={4}>
                <Title order={3} size="h5">
                  {t('projects.municipalities')}
                </Title>
                {p.municipalities.length ? (
                  <Text size="sm">{p.municipalities.map((m) => `${m.name} (${m.nisCode})`).join(', ')}</Text>
                ) : (
                  <Text size="sm">{t('projects.none')}</Text>
                )}
              </Stack>
              <Stack gap={4}>
                <Title order={3} size="h5">
                  {t('projects.partners')}
                </Title>
                {p.partners.length ? <Text size="sm">{p.partners.map((o) => o.name).join(', ')}</Text> : <Text size="sm">{t('projects.none')}</Text>}
              </Stack>
            </SimpleGrid>
            <Stack gap={4}>
              <Title order={3} size="h5">
                {t('programmes.title')}
              </Title>
              {p.programmes.length ? (
                <Table verticalSpacing={6}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('fields.name')}</Table.Th>
                      <Table.Th scope="col">{t('programmes.kind')}</Table.Th>
                      <Table.Th scope="col">{t('fields.slug')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {p.programmes.map((g) => (
                      <Table.Tr key={g.id}>
                        <Table.Td>{g.name}</Table.Td>
                        <Table.Td>
                          <Badge>{programmeKindLabel(t, g.kind)}</Badge>
                        </Table.Td>
                        <Table.Td className="mono">{g.slug}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : (
                <Text size="sm">{t('programmes.none')}</Text>
              )}
            </Stack>
          </Stack>
        </Card>
      ))}
      {creating ? (
        <ProjectForm
          onClose={() => setCreating(false)}
          onSaved={(p) => {
            setCreating(false);
            setNotice(t('projects.created', { name: p.name }));
          }}
        />
      ) : null}
      {addingTo ? (
        <ProgrammeForm
          project={addingTo}
          onClose={() => setAddingTo(null)}
          onSaved={(g) => {
            setAddingTo(null);
            setNotice(t('programmes.created', { name: g.name }));
          }}
        />
      ) : null}
    </Page>
  );
}
