/**
 * A service of the directory in a dialog: new, or changed (every field is sent: the API replaces
 * them all). Field errors from the server stand under their field, those of one municipality or
 * one language (`nisCodes.2`) under their group.
 */
import { Checkbox, Group, NativeSelect, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post, put } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { FormDialog, useProblem } from '../app/ui.tsx';
import { useOrganisations } from '../organisations/queries.ts';
import { COMMON_LANGUAGES, languageLabel } from '../referrals/intake.ts';
import { type Municipality, NS, SERVICE_KINDS, type Service, type ServiceInput, type ServiceKind, serviceKindLabel, servicesPath } from './outreach-admin.ts';

const inputOf = (s: Service): ServiceInput => ({
  organisationId: s.organisationId,
  name: s.name,
  kind: s.kind,
  nisCodes: s.nisCodes,
  languages: s.languages,
  phone: s.phone ?? '',
  email: s.email ?? '',
  website: s.website ?? '',
  description: s.description,
  active: s.active,
});

const EMPTY: ServiceInput = {
  organisationId: null,
  name: '',
  kind: '',
  nisCodes: [],
  languages: [],
  phone: '',
  email: '',
  website: '',
  description: '',
  active: true,
};

/** The body of a PUT or POST: every field, blanks as null. */
export function bodyOf(d: ServiceInput) {
  return {
    organisationId: d.organisationId || null,
    name: d.name,
    ...(d.kind ? { kind: d.kind } : {}),
    nisCodes: d.nisCodes,
    languages: d.languages,
    phone: d.phone.trim() || null,
    email: d.email.trim() || null,
    website: d.website.trim() || null,
    description: d.description,
    active: d.active,
  };
}

/** The first error of a field or of one of its items (`languages`, `languages.3`). */
function groupError(fields: Record<string, string>, name: string): string | undefined {
  return Object.entries(fields).find(([k]) => k === name || k.startsWith(`${name}.`))?.[1];
}

export function ServiceForm({
  programmeId,
  service,
  municipalities,
  onClose,
  onSaved,
}: {
  programmeId: string;
  service?: Service;
  municipalities: Municipality[];
  onClose: () => void;
  onSaved: (s: Service) => void;
}) {
  const { t, i18n } = useTranslation(NS);
  const qc = useQueryClient();
  const { can } = useSession();
  const organisations = useOrganisations(can('organisations.read'));
  const [draft, setDraft] = useState<ServiceInput>(() => (service ? inputOf(service) : EMPTY));
  const problem = useProblem();
  const fields = problem.fields;
  const set = <K extends keyof ServiceInput>(k: K, v: ServiceInput[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const save = useMutation({
    mutationFn: () =>
      service ? put<Service>(`${servicesPath(programmeId)}/${service.id}`, bodyOf(draft)) : post<Service>(servicesPath(programmeId), bodyOf(draft)),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (s) => {
      await qc.invalidateQueries({ queryKey: ['services', programmeId] });
      onSaved(s);
    },
  });

  const orgOptions = (organisations.data?.items ?? []).filter((o) => o.active || o.id === draft.organisationId).map((o) => ({ value: o.id, label: o.name }));
  if (service?.organisationId && service.organisationName && !orgOptions.some((o) => o.value === service.organisationId))
    orgOptions.unshift({ value: service.organisationId, label: service.organisationName });
  // Languages offered: the usual ones, and any the service already has.
  const languages = [...COMMON_LANGUAGES, ...draft.languages.filter((l) => !(COMMON_LANGUAGES as readonly string[]).includes(l))];
  // Municipalities: the project's, and any the service has that the project no longer lists.
  const places = [...municipalities, ...draft.nisCodes.filter((n) => !municipalities.some((m) => m.nisCode === n)).map((n) => ({ nisCode: n, name: n }))];

  return (
    <FormDialog
      title={service ? t('services.edit.title', { name: service.name }) : t('services.create.title')}
      size="xl"
      error={problem.error}
      busy={save.isPending}
      submitLabel={service ? t('services.edit.submit') : t('services.create.submit')}
      onSubmit={() => save.mutate()}
      onClose={onClose}
    >
      <Group grow align="flex-start">
        <TextInput
          label={t('services.fields.name')}
          name="name"
          required
          maxLength={200}
          value={draft.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          error={fields.name}
          data-autofocus
        />
        <NativeSelect
          label={t('services.fields.kind')}
          name="kind"
          required
          value={draft.kind}
          onChange={(e) => set('kind', e.currentTarget.value as ServiceKind | '')}
          data={[{ value: '', label: t('services.chooseKind') }, ...SERVICE_KINDS.map((k) => ({ value: k, label: serviceKindLabel(t, k) }))]}
          error={fields.kind}
        />
      </Group>
      {can('organisations.read') ? (
        <NativeSelect
          label={t('services.fields.organisation')}
          description={t('services.fields.organisationHint')}
          name="organisationId"
          value={draft.organisationId ?? ''}
          onChange={(e) => set('organisationId', e.currentTarget.value || null)}
          data={[{ value: '', label: t('services.noOrganisation') }, ...orgOptions]}
          error={fields.organisationId}
        />
      ) : null}
      <Textarea
        label={t('services.fields.description')}
        description={t('services.fields.descriptionHint')}
        name="description"
        autosize
        minRows={2}
        maxLength={2000}
        value={draft.description}
        onChange={(e) => set('description', e.currentTarget.value)}
        error={fields.description}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label={t('services.fields.phone')}
          name="phone"
          type="tel"
          maxLength={40}
          value={draft.phone}
          onChange={(e) => set('phone', e.currentTarget.value)}
          error={fields.phone}
        />
        <TextInput
          label={t('services.fields.email')}
          name="email"
          type="email"
          maxLength={254}
          value={draft.email}
          onChange={(e) => set('email', e.currentTarget.value)}
          error={fields.email}
        />
        <TextInput
          label={t('services.fields.website')}
          name="website"
          type="url"
          placeholder="https://"
          maxLength={500}
          value={draft.website}
          onChange={(e) => set('website', e.currentTarget.value)}
          error={fields.website}
        />
      </SimpleGrid>
      {places.length ? (
        <Checkbox.Group
          label={t('services.fields.municipalities')}
          description={t('services.fields.municipalitiesHint')}
          value={draft.nisCodes}
          onChange={(v) => set('nisCodes', v)}
          error={groupError(fields, 'nisCodes')}
        >
          <SimpleGrid cols={{ base: 2, sm: 4 }} mt={6} spacing={6}>
            {places.map((m) => (
              <Checkbox key={m.nisCode} value={m.nisCode} name="nisCodes" label={m.name} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
      ) : null}
      <Checkbox.Group
        label={t('services.fields.languages')}
        description={t('services.fields.languagesHint')}
        value={draft.languages}
        onChange={(v) => set('languages', v)}
        error={groupError(fields, 'languages')}
      >
        <SimpleGrid cols={{ base: 2, sm: 4 }} mt={6} spacing={6}>
          {languages.map((code) => (
            <Checkbox key={code} value={code} name="languages" label={languageLabel(code, i18n.language, t)} />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
      <Stack gap={4}>
        <Checkbox
          label={t('services.fields.active')}
          description={t('services.fields.activeHint')}
          name="active"
          checked={draft.active}
          onChange={(e) => set('active', e.currentTarget.checked)}
        />
      </Stack>
    </FormDialog>
  );
}
