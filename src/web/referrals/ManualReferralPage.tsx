/**
 * One dossier typed in by hand (after a phone call from the police, or a paper referral), under
 * the protocol of the police zone that sends it: the facts of the intervention and the persons
 * involved, each of whom becomes a contact. The server checks every value as an import would,
 * and names the field that is wrong (`dossier.pv_number`, `persons.1.mobile`…): it is shown there.
 */
import { Anchor, Box, Button, Card, Group, NativeSelect, Radio, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { COLOURS, GENDERS, PERSON_ROLES, RELATIONS } from '../../modules/referrals/fields.ts';
import { ApiError, post } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { DateField, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProjects } from '../organisations/queries.ts';
import { COMMON_LANGUAGES, colourLabel, type DossierDetail, genderLabel, languageLabel, relationLabel, roleLabel, useImportOptions } from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

interface PersonDraft {
  last_name: string;
  first_name: string;
  role: string;
  gender: string;
  birth_date: string | null;
  mobile: string;
  phone: string;
  email: string;
  language: string;
  street: string;
  house_number: string;
  box: string;
  remarks: string;
}

const emptyPerson = (role = ''): PersonDraft => ({
  last_name: '',
  first_name: '',
  role,
  gender: '',
  birth_date: '',
  mobile: '',
  phone: '',
  email: '',
  language: '',
  street: '',
  house_number: '',
  box: '',
  remarks: '',
});

/** The non-empty values, trimmed: what the API normalises as it would a row of an export. */
function raw(values: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v?.trim()) out[k] = v.trim();
  return out;
}

function PersonFields({
  index,
  person,
  update,
  remove,
  fields,
  dateErrors,
}: {
  index: number;
  person: PersonDraft;
  update: (patch: Partial<PersonDraft>) => void;
  remove: (() => void) | null;
  fields: Record<string, string>;
  dateErrors: Record<string, string>;
}) {
  const { t, i18n } = useTranslation('intake');
  const n = index + 1;
  const name = (f: keyof PersonDraft) => `persons.${index}.${f}`;
  const text = (f: keyof PersonDraft, label: string, extra: Record<string, unknown> = {}) => (
    <TextInput
      label={label}
      name={name(f)}
      value={person[f] ?? ''}
      onChange={(e) => update({ [f]: e.currentTarget.value })}
      error={fields[name(f)]}
      {...extra}
    />
  );
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={`person-${index}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4" id={`person-${index}`}>
            {t('manual.person', { n })}
          </Title>
          {remove ? (
            <Button variant="default" size="xs" onClick={remove}>
              {t('manual.removePerson', { n })}
            </Button>
          ) : null}
        </Group>
        {fields[`persons.${index}`] ? (
          <Text c="red.9" size="sm" role="alert">
            {fields[`persons.${index}`]}
          </Text>
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
          {text('last_name', t('imports:field.last_name'), { required: true, autoComplete: 'off' })}
          {text('first_name', t('imports:field.first_name'), { autoComplete: 'off' })}
          <NativeSelect
            label={t('imports:field.role')}
            name={name('role')}
            value={person.role}
            onChange={(e) => update({ role: e.currentTarget.value })}
            data={[{ value: '', label: t('unknown') }, ...PERSON_ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))]}
            error={fields[name('role')]}
          />
          <NativeSelect
            label={t('imports:field.gender')}
            name={name('gender')}
            value={person.gender}
            onChange={(e) => update({ gender: e.currentTarget.value })}
            data={[{ value: '', label: t('unknown') }, ...GENDERS.map((g) => ({ value: g, label: genderLabel(t, g) }))]}
            error={fields[name('gender')]}
          />
          <DateField
            label={t('imports:field.birth_date')}
            name={name('birth_date')}
            value={person.birth_date}
            onChange={(v) => update({ birth_date: v })}
            error={dateErrors[name('birth_date')] ?? fields[name('birth_date')]}
          />
          <NativeSelect
            label={t('imports:field.language')}
            name={name('language')}
            value={person.language}
            onChange={(e) => update({ language: e.currentTarget.value })}
            data={[{ value: '', label: t('unknown') }, ...COMMON_LANGUAGES.map((l) => ({ value: l, label: languageLabel(l, i18n.language, t) }))]}
            error={fields[name('language')]}
          />
          {text('mobile', t('imports:field.mobile'), { type: 'tel', autoComplete: 'off', description: t('manual.phoneHint') })}
          {text('phone', t('imports:field.phone'), { type: 'tel', autoComplete: 'off' })}
          {text('email', t('imports:field.email'), { type: 'email', autoComplete: 'off' })}
          {text('street', t('imports:field.street'), { autoComplete: 'off' })}
          <Group grow gap="sm" align="flex-start">
            {text('house_number', t('imports:field.house_number'), { autoComplete: 'off' })}
            {text('box', t('imports:field.box'), { autoComplete: 'off' })}
          </Group>
        </SimpleGrid>
        <Textarea
          label={t('imports:field.remarks')}
          description={t('manual.remarksHint')}
          name={name('remarks')}
          value={person.remarks}
          onChange={(e) => update({ remarks: e.currentTarget.value })}
          error={fields[name('remarks')]}
          autosize
          minRows={2}
          maxLength={500}
        />
      </Stack>
    </Card>
  );
}

function ManualForm({ programmeId, projectId }: { programmeId: string; projectId: string }) {
  const { t } = useTranslation('intake');
  const { can } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const options = useImportOptions(programmeId);
  const projects = useProjects(can('projects.read'));
  const municipalities = projects.data?.items.find((p) => p.id === projectId)?.municipalities ?? [];
  const senders = options.data?.senders ?? [];
  const [senderId, setSenderId] = useState('');
  const sender = senders.find((s) => s.id === senderId) ?? (senders.length === 1 ? senders[0] : undefined);
  const [pv, setPv] = useState('');
  const [factsDate, setFactsDate] = useState<string | null>('');
  const [municipality, setMunicipality] = useState('');
  const [relation, setRelation] = useState('');
  const [minors, setMinors] = useState('');
  const [colour, setColour] = useState<string>('green');
  const [persons, setPersons] = useState<PersonDraft[]>([emptyPerson('victim')]);
  const [dateErrors, setDateErrors] = useState<Record<string, string>>({});
  const problem = useProblem();
  const fields: Record<string, string> = { ...problem.fields };
  if (problem.error instanceof ApiError && problem.error.code === 'dossier_exists') fields['dossier.pv_number'] = problem.error.problem.detail;

  const save = useMutation({
    mutationFn: () =>
      post<DossierDetail>(`/api/programmes/${programmeId}/dossiers`, {
        senderOrganisationId: sender?.id,
        dossier: raw({ pv_number: pv, facts_date: factsDate, municipality, relation, minors_present: minors, colour, police_zone: sender?.name ?? '' }),
        persons: persons.map((p) => raw({ ...p })),
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (d) => {
      await qc.invalidateQueries({ queryKey: ['dossiers', programmeId] });
      navigate(`/referrals/dossiers/${d.id}?programme=${programmeId}`, { state: { notice: t('manual.created', { ref: d.ref, n: d.persons.length }) } });
    },
  });

  const submit = () => {
    const invalid: Record<string, string> = {};
    if (factsDate === null) invalid['dossier.facts_date'] = t('app:date.invalid');
    persons.forEach((p, i) => {
      if (p.birth_date === null) invalid[`persons.${i}.birth_date`] = t('app:date.invalid');
    });
    setDateErrors(invalid);
    const first = Object.keys(invalid)[0];
    if (first) {
      document.querySelector<HTMLInputElement>(`#main input[name="${first}"]`)?.focus();
      return;
    }
    save.mutate();
  };

  if (options.isError) return <ProblemAlert error={options.error} />;

  return (
    <form
      noValidate
      aria-label={t('manual.title')}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="lg">
        <ProblemAlert error={problem.error} />
        <Card withBorder padding="lg" component="section" aria-labelledby="manual-dossier">
          <Stack gap="sm">
            <Title order={2} size="h3" id="manual-dossier">
              {t('manual.dossier')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
              <NativeSelect
                label={t('manual.sender')}
                name="senderOrganisationId"
                required
                value={sender?.id ?? ''}
                onChange={(e) => setSenderId(e.currentTarget.value)}
                data={[...(sender ? [] : [{ value: '', label: t('wizard.chooseSender') }]), ...senders.map((s) => ({ value: s.id, label: s.name }))]}
                description={senders.length === 0 && !options.isPending ? t('wizard.noSender') : t('manual.senderHint')}
                error={fields.senderOrganisationId}
              />
              <TextInput
                label={t('imports:field.pv_number')}
                name="dossier.pv_number"
                required
                value={pv}
                onChange={(e) => setPv(e.currentTarget.value)}
                error={fields['dossier.pv_number']}
                autoComplete="off"
                description={t('manual.pvHint')}
              />
              <DateField
                label={t('imports:field.facts_date')}
                name="dossier.facts_date"
                value={factsDate}
                onChange={setFactsDate}
                error={dateErrors['dossier.facts_date'] ?? fields['dossier.facts_date']}
              />
              {municipalities.length ? (
                <NativeSelect
                  label={t('imports:field.municipality')}
                  name="dossier.municipality"
                  value={municipality}
                  onChange={(e) => setMunicipality(e.currentTarget.value)}
                  data={[{ value: '', label: t('unknown') }, ...municipalities.map((m) => ({ value: m.name, label: m.name }))]}
                  error={fields['dossier.municipality']}
                />
              ) : (
                <TextInput
                  label={t('imports:field.municipality')}
                  name="dossier.municipality"
                  value={municipality}
                  onChange={(e) => setMunicipality(e.currentTarget.value)}
                  error={fields['dossier.municipality']}
                />
              )}
              <NativeSelect
                label={t('imports:field.relation')}
                name="dossier.relation"
                value={relation}
                onChange={(e) => setRelation(e.currentTarget.value)}
                data={[{ value: '', label: t('unknown') }, ...RELATIONS.map((r) => ({ value: r, label: relationLabel(t, r) }))]}
                error={fields['dossier.relation']}
              />
              <NativeSelect
                label={t('imports:field.minors_present')}
                name="dossier.minors_present"
                value={minors}
                onChange={(e) => setMinors(e.currentTarget.value)}
                data={[
                  { value: '', label: t('unknown') },
                  { value: 'yes', label: t('yes') },
                  { value: 'no', label: t('no') },
                ]}
                error={fields['dossier.minors_present']}
              />
            </SimpleGrid>
            <Radio.Group
              label={t('imports:field.colour')}
              description={t('manual.colourHint')}
              name="dossier.colour"
              value={colour}
              onChange={setColour}
              error={fields['dossier.colour']}
              required
            >
              <Group mt={6} gap="lg">
                {COLOURS.map((c) => (
                  <Radio key={c} value={c} label={colourLabel(t, c)} />
                ))}
              </Group>
            </Radio.Group>
          </Stack>
        </Card>

        <Stack gap="sm">
          <Title order={2} size="h3">
            {t('manual.persons')}
          </Title>
          <Text size="sm">{t('manual.personsIntro')}</Text>
          {fields.persons ? (
            <Text c="red.9" size="sm" role="alert">
              {fields.persons}
            </Text>
          ) : null}
          {persons.map((p, i) => (
            <PersonFields
              // biome-ignore lint/suspicious/noArrayIndexKey: persons have no identity before they are saved
              key={i}
              index={i}
              person={p}
              fields={fields}
              dateErrors={dateErrors}
              update={(patch) => setPersons((list) => list.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
              remove={persons.length > 1 ? () => setPersons((list) => list.filter((_, j) => j !== i)) : null}
            />
          ))}
          <Group>
            <Button variant="default" onClick={() => setPersons((list) => [...list, emptyPerson()])} disabled={persons.length >= 20}>
              {t('manual.addPerson')}
            </Button>
          </Group>
        </Stack>
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!sender}>
            {t('manual.submit')}
          </Button>
          <Button component={Link} to={`/referrals/dossiers?programme=${programmeId}`} variant="default">
            {t('app:action.cancel')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** `/referrals/dossiers/new` */
export function ManualReferralPage() {
  const { t } = useTranslation('intake');
  const ctx = useProgrammeContext('dossiers.create');
  return (
    <Page title={t('manual.title')} description={t('manual.intro')}>
      <Box>
        <Anchor component={Link} to={`/referrals/dossiers${ctx.search}`} size="sm">
          {t('dossier.back')}
        </Anchor>
      </Box>
      {ctx.programme ? <ManualForm key={ctx.programme.id} programmeId={ctx.programme.id} projectId={ctx.programme.projectId} /> : ctx.picker}
    </Page>
  );
}
