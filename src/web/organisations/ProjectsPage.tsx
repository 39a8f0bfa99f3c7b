import { Badge, Button, Card, Group, Loader, MultiSelect, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { patch, post } from '../app/api.ts';
import { programmeKindLabel } from '../app/labels.ts';
import { useSession } from '../app/session.tsx';
import { PROGRAMME_KINDS, type Programme, type ProgrammeKind, type Project } from '../app/types.ts';
import { DateField, FormDialog, Notice, Page, ProblemAlert, useDialogFor, useProblem } from '../app/ui.tsx';
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

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const isoDay = (d: string | null | undefined) => (d ? d.slice(0, 10) : '');

/**
 * A project: new (every field), or an existing one (prefilled; its short name and coordinating
 * organisation stay as they are, and only what was changed is sent).
 */
function ProjectForm({ project, onClose, onSaved }: { project?: Project; onClose: () => void; onSaved: (p: Project | null) => void }) {
  const { t } = useTranslation('organisations');
  const qc = useQueryClient();
  const organisations = useOrganisations();
  const [name, setName] = useState(project?.name ?? '');
  const slug = useSlug(name);
  const [coordinatingOrganisationId, setCoordinator] = useState('');
  const [startsOn, setStartsOn] = useState<string | null>(isoDay(project?.startsOn));
  const [endsOn, setEndsOn] = useState<string | null>(isoDay(project?.endsOn));
  // The coordinating organisation is always a partner: it is not offered, nor removable.
  const [partnerIds, setPartners] = useState<string[]>(
    () => project?.partners.filter((o) => o.id !== project.coordinatingOrganisationId).map((o) => o.id) ?? [],
  );
  const [municipalities, setMunicipalities] = useState<MunicipalityDraft[]>(() => project?.municipalities.map((m) => ({ ...m })) ?? []);
  // The lines sent in the last request, by their place on screen: the server names a line by its
  // place in what it received, and empty lines are not sent.
  const [sentLines, setSentLines] = useState<number[]>([]);
  const [dateErrors, setDateErrors] = useState<{ startsOn?: string; endsOn?: string }>({});
  const problem = useProblem();
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(problem.fields)) {
    const m = /^municipalities\.(\d+)\.(.+)$/.exec(k);
    fields[m ? `municipalities.${sentLines[Number(m[1])] ?? m[1]}.${m[2]}` : k] = v;
  }
  const orgOptions = (() => {
    const options = new Map<string, string>();
    for (const o of organisations.data?.items ?? []) if (o.active) options.set(o.id, o.name);
    // A partner already in the project stays listed, even if it has been deactivated since.
    for (const o of project?.partners ?? []) if (!options.has(o.id)) options.set(o.id, o.name);
    return [...options].map(([value, label]) => ({ value, label }));
  })();
  const partnerOptions = project ? orgOptions.filter((o) => o.value !== project.coordinatingOrganisationId) : orgOptions;
  const title = project ? t('projects.editTitle', { name: project.name }) : t('projects.newTitle');

  /** What changed since the project was loaded (the server keeps the rest as it is). */
  const changes = (p: Project, lines: MunicipalityDraft[]) => {
    const body: Record<string, unknown> = {};
    if (name.trim() !== p.name) body.name = name;
    if ((startsOn || '') !== isoDay(p.startsOn)) body.startsOn = startsOn || null;
    if ((endsOn || '') !== isoDay(p.endsOn)) body.endsOn = endsOn || null;
    const key = (list: MunicipalityDraft[]) => list.map((m) => `${m.nisCode.trim()}|${m.name.trim()}`);
    if (!sameList(key(lines), key(p.municipalities))) body.municipalities = lines;
    const before = p.partners.map((o) => o.id).filter((id) => id !== p.coordinatingOrganisationId);
    if (!sameList([...partnerIds].sort(), before.sort())) body.partnerIds = partnerIds;
    return body;
  };

  const save = useMutation({
    mutationFn: async (): Promise<Project | null> => {
      const lines = municipalities.map((m, i) => ({ m, i })).filter(({ m }) => m.nisCode.trim() || m.name.trim());
      setSentLines(lines.map(({ i }) => i));
      const sent = lines.map(({ m }) => ({ nisCode: m.nisCode.trim(), name: m.name }));
      if (project) {
        const body = changes(project, sent);
        if (Object.keys(body).length === 0) return null;
        return patch<Project>(`/api/projects/${project.id}`, body);
      }
      return post<Project>('/api/projects', {
        name,
        slug: slug.value,
        ...(coordinatingOrganisationId ? { coordinatingOrganisationId } : {}),
        startsOn: startsOn || null,
        endsOn: endsOn || null,
        municipalities: sent,
        partnerIds,
      });
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      if (p) {
        await qc.invalidateQueries({ queryKey: ['projects'] });
        await qc.invalidateQueries({ queryKey: ['programmes'] });
      }
      onSaved(p);
    },
  });
  const submit = () => {
    // A date that is not one yet: say so under it and go there, rather than send nothing silently.
    const invalid = { ...(startsOn === null ? { startsOn: t('app:date.invalid') } : {}), ...(endsOn === null ? { endsOn: t('app:date.invalid') } : {}) };
    setDateErrors(invalid);
    const first = Object.keys(invalid)[0];
    if (first) {
      document.querySelector<HTMLInputElement>(`[role="dialog"] input[name="${first}"]`)?.focus();
      return;
    }
    save.mutate();
  };
  const updateMunicipality = (i: number, patch: Partial<MunicipalityDraft>) =>
    setMunicipalities((list) => list.map((m, j) => (j === i ? { ...m, ...patch } : m)));

  return (
    <FormDialog
      title={title}
      size="xl"
      error={problem.error}
      busy={save.isPending}
      submitLabel={project ? t('projects.save') : t('projects.create')}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextInput
        label={t('fields.name')}
        name="name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={fields.name}
        data-autofocus
      />
      {project ? (
        <>
          <TextInput label={t('fields.slug')} description={t('projects.fixed')} name="slug" readOnly variant="filled" value={project.slug} />
          <TextInput
            label={t('projects.coordinator')}
            description={t('projects.fixed')}
            name="coordinatingOrganisation"
            readOnly
            variant="filled"
            value={project.coordinatingOrganisationName}
          />
        </>
      ) : (
        <>
          <TextInput
            label={t('fields.slug')}
            description={t('fields.slugHint')}
            name="slug"
            required
            value={slug.value}
            onChange={(e) => slug.onChange(e.currentTarget.value)}
            error={fields.slug}
          />
          <NativeSelect
            label={t('projects.coordinator')}
            name="coordinatingOrganisationId"
            required
            value={coordinatingOrganisationId}
            onChange={(e) => setCoordinator(e.currentTarget.value)}
            data={[{ value: '', label: t('projects.chooseOrganisation') }, ...orgOptions]}
            error={fields.coordinatingOrganisationId}
          />
        </>
      )}
      <Group grow align="flex-start">
        <DateField
          label={t('projects.startsOn')}
          name="startsOn"
          value={startsOn}
          onChange={(v) => {
            setStartsOn(v);
            if (v !== null) setDateErrors((d) => ({ ...d, startsOn: undefined }));
          }}
          error={dateErrors.startsOn ?? fields.startsOn}
        />
        <DateField
          label={t('projects.endsOn')}
          name="endsOn"
          value={endsOn}
          onChange={(v) => {
            setEndsOn(v);
            if (v !== null) setDateErrors((d) => ({ ...d, endsOn: undefined }));
          }}
          error={dateErrors.endsOn ?? fields.endsOn}
        />
      </Group>
      <MultiSelect
        label={t('projects.partners')}
        description={project ? t('projects.partnersHintEdit', { organisation: project.coordinatingOrganisationName }) : t('projects.partnersHint')}
        data={partnerOptions}
        value={partnerIds}
        onChange={setPartners}
        searchable
        clearable
        clearButtonProps={{ 'aria-label': t('projects.clearPartners') }}
        nothingFoundMessage={t('projects.nothingFound')}
        error={Object.entries(fields).find(([k]) => k.startsWith('partnerIds'))?.[1]}
      />
      <Stack gap="xs" role="group" aria-labelledby="municipalities-label">
        <Text fw={600} id="municipalities-label">
          {t('projects.municipalities')}
        </Text>
        {fields.municipalities ? (
          <Text size="sm" c="red.9" role="alert">
            {fields.municipalities}
          </Text>
        ) : null}
        {municipalities.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
          <Group key={i} align="flex-start" gap="sm">
            <TextInput
              label={t('projects.municipalityNis', { n: i + 1 })}
              name={`municipalities.${i}.nisCode`}
              inputMode="numeric"
              maxLength={5}
              w={160}
              value={m.nisCode}
              onChange={(e) => updateMunicipality(i, { nisCode: e.currentTarget.value })}
              error={fields[`municipalities.${i}.nisCode`]}
            />
            <TextInput
              label={t('projects.municipalityName', { n: i + 1 })}
              name={`municipalities.${i}.name`}
              w={260}
              value={m.name}
              onChange={(e) => updateMunicipality(i, { name: e.currentTarget.value })}
              error={fields[`municipalities.${i}.name`]}
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
    </FormDialog>
  );
}

/** A programme's new name (its short name and kind stay). */
function RenameProgrammeForm({ programme, onClose, onSaved }: { programme: Programme; onClose: () => void; onSaved: (p: Programme | null) => void }) {
  const { t } = useTranslation('organisations');
  const qc = useQueryClient();
  const [name, setName] = useState(programme.name);
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => (name.trim() === programme.name ? Promise.resolve(null) : patch<Programme>(`/api/programmes/${programme.id}`, { name })),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      if (p) {
        await qc.invalidateQueries({ queryKey: ['projects'] });
        await qc.invalidateQueries({ queryKey: ['programmes'] });
      }
      onSaved(p);
    },
  });
  const submit = () => {
    save.mutate();
  };
  const title = t('programmes.renameTitle', { name: programme.name });
  return (
    <FormDialog title={title} size="lg" error={problem.error} busy={save.isPending} submitLabel={t('programmes.rename')} onSubmit={submit} onClose={onClose}>
      <TextInput
        label={t('programmes.newName')}
        name="name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={problem.fields.name}
        data-autofocus
      />
      <Text size="sm">{t('programmes.renameNote', { slug: programme.slug })}</Text>
    </FormDialog>
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
  const submit = () => {
    save.mutate();
  };
  const title = t('programmes.newTitle', { project: project.name });
  return (
    <FormDialog title={title} size="lg" error={problem.error} busy={save.isPending} submitLabel={t('programmes.create')} onSubmit={submit} onClose={onClose}>
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
    </FormDialog>
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
  const creating = useDialogFor<true>();
  const addingTo = useDialogFor<Project>();
  const editing = useDialogFor<Project>();
  const renaming = useDialogFor<Programme>();
  const [notice, setNotice] = useState<string | null>(null);
  const manage = can('projects.manage');

  return (
    <Page
      title={t('projects.title')}
      description={t('projects.intro')}
      actions={manage ? <Button onClick={() => creating.open(true)}>{t('projects.new')}</Button> : null}
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
                <Group gap="xs">
                  <Button variant="default" onClick={() => editing.open(p)} aria-label={t('projects.editNamed', { name: p.name })}>
                    {t('projects.edit')}
                  </Button>
                  <Button variant="default" onClick={() => addingTo.open(p)} aria-label={t('programmes.addTo', { project: p.name })}>
                    {t('programmes.add')}
                  </Button>
                </Group>
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
                      {manage ? (
                        <Table.Th scope="col">
                          <VisuallyHidden>{t('programmes.actions')}</VisuallyHidden>
                        </Table.Th>
                      ) : null}
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
                        {manage ? (
                          <Table.Td>
                            <Button size="xs" variant="default" onClick={() => renaming.open(g)} aria-label={t('programmes.renameNamed', { name: g.name })}>
                              {t('programmes.rename')}
                            </Button>
                          </Table.Td>
                        ) : null}
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
      {creating.item ? (
        <ProjectForm
          onClose={creating.close}
          onSaved={(p) => {
            creating.close();
            if (p) setNotice(t('projects.created', { name: p.name }));
          }}
        />
      ) : null}
      {editing.item ? (
        <ProjectForm
          project={editing.item}
          onClose={editing.close}
          onSaved={(p) => {
            editing.close();
            setNotice(p ? t('projects.saved', { name: p.name }) : t('projects.unchanged'));
          }}
        />
      ) : null}
      {renaming.item ? (
        <RenameProgrammeForm
          programme={renaming.item}
          onClose={renaming.close}
          onSaved={(g) => {
            renaming.close();
            setNotice(g ? t('programmes.renamed', { name: g.name }) : t('programmes.unchanged'));
          }}
        />
      ) : null}
      {addingTo.item ? (
        <ProgrammeForm
          project={addingTo.item}
          onClose={addingTo.close}
          onSaved={(g) => {
            addingTo.close();
            setNotice(t('programmes.created', { name: g.name }));
          }}
        />
      ) : null}
    </Page>
  );
}
