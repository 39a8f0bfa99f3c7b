import { Button, Group, NativeSelect, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { LANGUAGE_NAMES } from '../app/LanguageSwitcher.tsx';
import type { User } from '../app/types.ts';
import { FormDialog, useProblem } from '../app/ui.tsx';
import { useOrganisations, useProgrammes } from '../organisations/queries.ts';
import { type GrantDraft, RolesEditor, toGrants } from './RolesEditor.tsx';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Four groups of five letters and digits: easy to pass on, far from any common list. */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return chars.match(/.{5}/g)?.join('-') ?? chars;
}

export function LocaleSelect({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const { t } = useTranslation('identity');
  return (
    <NativeSelect
      label={t('fields.language')}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={[{ value: '', label: t('fields.languageUnset') }, ...LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))]}
      error={error}
    />
  );
}

/** A new user: name, e-mail, organisation, a first password, language, roles per programme. */
export function UserFormModal({ onClose, onCreated }: { onClose: () => void; onCreated: (u: User) => void }) {
  const { t } = useTranslation('identity');
  const qc = useQueryClient();
  const organisations = useOrganisations();
  const programmes = useProgrammes();
  const [form, setForm] = useState({ displayName: '', email: '', organisationId: '', password: '', locale: '' });
  const [roles, setRoles] = useState<GrantDraft[]>([]);
  const [showPassword, setShowPassword] = useState(false);
  const problem = useProblem();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: v }));
  };

  const create = useMutation({
    mutationFn: () =>
      post<User>('/api/users', {
        displayName: form.displayName,
        email: form.email,
        ...(form.organisationId ? { organisationId: form.organisationId } : {}),
        password: form.password,
        locale: form.locale || null,
        roles: toGrants(roles),
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (u) => {
      await qc.invalidateQueries({ queryKey: ['users'] });
      await qc.invalidateQueries({ queryKey: ['organisations'] });
      onCreated(u);
    },
  });

  const submit = () => {
    create.mutate();
  };

  const activeOrganisations = (organisations.data?.items ?? []).filter((o) => o.active);

  return (
    <FormDialog
      title={t('users.newTitle')}
      size="xl"
      error={problem.error}
      busy={create.isPending}
      submitLabel={t('users.create')}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextInput
        label={t('fields.displayName')}
        name="displayName"
        autoComplete="off"
        required
        value={form.displayName}
        onChange={set('displayName')}
        error={problem.fields.displayName}
        data-autofocus
      />
      <TextInput
        label={t('fields.email')}
        type="email"
        name="email"
        autoComplete="off"
        required
        value={form.email}
        onChange={set('email')}
        error={problem.fields.email}
      />
      <NativeSelect
        label={t('fields.organisation')}
        name="organisationId"
        required
        value={form.organisationId}
        onChange={set('organisationId')}
        data={[{ value: '', label: t('fields.chooseOrganisation') }, ...activeOrganisations.map((o) => ({ value: o.id, label: o.name }))]}
        error={problem.fields.organisationId}
      />
      <Stack gap={6}>
        <PasswordInput
          label={t('fields.firstPassword')}
          description={t('users.firstPasswordHint')}
          name="password"
          autoComplete="new-password"
          required
          value={form.password}
          visible={showPassword}
          onVisibilityChange={setShowPassword}
          onChange={set('password')}
          error={problem.fields.password}
          visibilityToggleButtonProps={{ 'aria-label': t('fields.showPassword') }}
        />
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => {
              setForm((f) => ({ ...f, password: generatePassword() }));
              setShowPassword(true);
            }}
          >
            {t('users.generatePassword')}
          </Button>
        </Group>
      </Stack>
      <LocaleSelect value={form.locale} onChange={(v) => setForm((f) => ({ ...f, locale: v }))} error={problem.fields.locale} />
      <RolesEditor value={roles} onChange={setRoles} programmes={programmes.data?.items ?? []} errors={problem.fields} idPrefix="new-user" />
      <Text size="sm">{t('users.mfaNote')}</Text>
    </FormDialog>
  );
}
