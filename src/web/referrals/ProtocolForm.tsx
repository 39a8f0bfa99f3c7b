/**
 * A protocol's terms: new (every field), or a draft being corrected (prefilled; only what changed
 * is sent). A signed protocol is not edited here: only its end date moves (ProtocolEndDateForm).
 */
import { Checkbox, Group, NativeSelect, NumberInput, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { DateField, FormDialog, useProblem } from '../app/ui.tsx';
import { useOrganisations } from '../organisations/queries.ts';
import { DATA_CATEGORIES, type DataCategory, LEGAL_BASES, type LegalBasis, type Protocol, protocolPath, protocolsKey, protocolsPath } from './ProtocolApi.ts';

interface Draft {
  senderOrganisationId: string;
  receiverOrganisationId: string;
  title: string;
  purpose: string;
  legalBasis: LegalBasis | '';
  legalBasisText: string;
  categories: DataCategory[];
  /** ISO, '' when empty, null while what is typed is not a date */
  validFrom: string | null;
  validTo: string | null;
  retentionDays: number | '';
}

const fromProtocol = (p: Protocol): Draft => ({
  senderOrganisationId: p.senderOrganisationId,
  receiverOrganisationId: p.receiverOrganisationId,
  title: p.title,
  purpose: p.purpose,
  legalBasis: p.legalBasis,
  legalBasisText: p.legalBasisText,
  categories: p.categories,
  validFrom: p.validFrom,
  validTo: p.validTo ?? '',
  retentionDays: p.retentionDays,
});

/** The body of the request: every field for a new protocol, the changed ones for a draft. */
function bodyOf(d: Draft, before: Protocol | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    ...(d.senderOrganisationId ? { senderOrganisationId: d.senderOrganisationId } : {}),
    ...(d.receiverOrganisationId ? { receiverOrganisationId: d.receiverOrganisationId } : {}),
    title: d.title,
    purpose: d.purpose,
    ...(d.legalBasis ? { legalBasis: d.legalBasis } : {}),
    legalBasisText: d.legalBasisText,
    categories: DATA_CATEGORIES.filter((c) => c === 'incident' || d.categories.includes(c)),
    ...(d.validFrom ? { validFrom: d.validFrom } : {}),
    validTo: d.validTo || null,
    ...(d.retentionDays !== '' ? { retentionDays: d.retentionDays } : {}),
  };
  if (!before) return all;
  const was: Record<string, unknown> = { ...fromProtocol(before), validTo: before.validTo };
  return Object.fromEntries(Object.entries(all).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(was[k])));
}

export function ProtocolForm({
  programmeId,
  protocol,
  onClose,
  onSaved,
}: {
  programmeId: string;
  protocol?: Protocol;
  onClose: () => void;
  onSaved: (p: Protocol | null) => void;
}) {
  const { t } = useTranslation('protocols');
  const qc = useQueryClient();
  const { session } = useSession();
  const organisations = useOrganisations();
  const active = (organisations.data?.items ?? []).filter((o) => o.active);
  const ownOrganisation = active.find((o) => o.id === session?.user.organisationId)?.id ?? '';
  const [draft, setDraft] = useState<Draft>(() =>
    protocol
      ? fromProtocol(protocol)
      : {
          senderOrganisationId: '',
          receiverOrganisationId: '',
          title: '',
          purpose: '',
          legalBasis: '',
          legalBasisText: '',
          categories: ['incident'],
          validFrom: '',
          validTo: '',
          retentionDays: '',
        },
  );
  // The receiver of a new protocol is the user's own organisation until another is chosen.
  const [receiverChosen, setReceiverChosen] = useState(!!protocol);
  const receiver = receiverChosen ? draft.receiverOrganisationId : ownOrganisation;
  const [dateErrors, setDateErrors] = useState<{ validFrom?: string; validTo?: string }>({});
  const problem = useProblem();
  const fields = problem.fields;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  // Parties listed: the active ones, and those of the draft even if deactivated since.
  const option = (id: string, name: string) => ({ value: id, label: name });
  const zones = active.filter((o) => o.kind === 'police_zone').map((o) => option(o.id, o.name));
  const receivers = active.map((o) => option(o.id, o.name));
  if (protocol && !zones.some((z) => z.value === protocol.senderOrganisationId)) zones.unshift(option(protocol.senderOrganisationId, protocol.senderName));
  if (protocol && !receivers.some((r) => r.value === protocol.receiverOrganisationId))
    receivers.unshift(option(protocol.receiverOrganisationId, protocol.receiverName));

  const save = useMutation({
    mutationFn: async (): Promise<Protocol | null> => {
      const body = bodyOf({ ...draft, receiverOrganisationId: receiver }, protocol);
      if (protocol) return Object.keys(body).length ? patch<Protocol>(protocolPath(protocol), body) : null;
      return post<Protocol>(protocolsPath(programmeId), body);
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      if (p) await qc.invalidateQueries({ queryKey: protocolsKey(programmeId) });
      onSaved(p);
    },
  });

  const submit = () => {
    // A date that is not one yet: say so under it and go there, rather than send nothing silently.
    const invalid = {
      ...(draft.validFrom === null ? { validFrom: t('app:date.invalid') } : {}),
      ...(draft.validTo === null ? { validTo: t('app:date.invalid') } : {}),
    };
    setDateErrors(invalid);
    const first = Object.keys(invalid)[0];
    if (first) {
      document.querySelector<HTMLInputElement>(`[role="dialog"] input[name="${first}"]`)?.focus();
      return;
    }
    save.mutate();
  };

  const categoriesError = Object.entries(fields).find(([k]) => k === 'categories' || k.startsWith('categories.'))?.[1];
  const title = protocol ? t('edit.title', { title: protocol.title }) : t('create.title');

  return (
    <FormDialog
      title={title}
      size="xl"
      error={problem.error}
      busy={save.isPending}
      submitLabel={protocol ? t('edit.submit') : t('create.submit')}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextInput
        label={t('fields.title')}
        name="title"
        required
        maxLength={200}
        value={draft.title}
        onChange={(e) => set('title', e.currentTarget.value)}
        error={fields.title}
        data-autofocus
      />
      <Group grow align="flex-start">
        <NativeSelect
          label={t('fields.sender')}
          name="senderOrganisationId"
          required
          value={draft.senderOrganisationId}
          onChange={(e) => set('senderOrganisationId', e.currentTarget.value)}
          data={[{ value: '', label: t('chooseZone') }, ...zones]}
          description={organisations.data && zones.length === 0 ? t('noZones') : undefined}
          error={fields.senderOrganisationId}
        />
        <NativeSelect
          label={t('fields.receiver')}
          name="receiverOrganisationId"
          required
          value={receiver}
          onChange={(e) => {
            setReceiverChosen(true);
            set('receiverOrganisationId', e.currentTarget.value);
          }}
          data={[{ value: '', label: t('chooseOrganisation') }, ...receivers]}
          error={fields.receiverOrganisationId}
        />
      </Group>
      <Textarea
        label={t('fields.purpose')}
        description={t('fields.purposeHint')}
        name="purpose"
        required
        autosize
        minRows={2}
        maxLength={4000}
        value={draft.purpose}
        onChange={(e) => set('purpose', e.currentTarget.value)}
        error={fields.purpose}
      />
      <NativeSelect
        label={t('fields.legalBasis')}
        name="legalBasis"
        required
        value={draft.legalBasis}
        onChange={(e) => set('legalBasis', e.currentTarget.value as LegalBasis | '')}
        data={[{ value: '', label: t('chooseLegalBasis') }, ...LEGAL_BASES.map((b) => ({ value: b, label: t(`legalBasis.${b}`) }))]}
        error={fields.legalBasis}
      />
      <Textarea
        label={t('fields.legalBasisText')}
        description={t('fields.legalBasisTextHint')}
        name="legalBasisText"
        required={draft.legalBasis === 'other'}
        autosize
        minRows={2}
        maxLength={4000}
        value={draft.legalBasisText}
        onChange={(e) => set('legalBasisText', e.currentTarget.value)}
        error={fields.legalBasisText}
      />
      <Checkbox.Group
        label={t('fields.categories')}
        description={t('fields.categoriesHint')}
        value={draft.categories}
        onChange={(v) => set('categories', v as DataCategory[])}
        error={categoriesError}
      >
        <Stack gap={6} mt={6}>
          {DATA_CATEGORIES.map((c) => (
            <Checkbox key={c} value={c} name="categories" label={t(`category.${c}`)} disabled={c === 'incident'} />
          ))}
        </Stack>
      </Checkbox.Group>
      <Group grow align="flex-start">
        <DateField
          label={t('fields.validFrom')}
          name="validFrom"
          required
          value={draft.validFrom}
          onChange={(v) => {
            set('validFrom', v);
            if (v !== null) setDateErrors((d) => ({ ...d, validFrom: undefined }));
          }}
          error={dateErrors.validFrom ?? fields.validFrom}
        />
        <DateField
          label={t('fields.validTo')}
          name="validTo"
          description={t('fields.validToHint')}
          value={draft.validTo}
          onChange={(v) => {
            set('validTo', v);
            if (v !== null) setDateErrors((d) => ({ ...d, validTo: undefined }));
          }}
          error={dateErrors.validTo ?? fields.validTo}
        />
      </Group>
      <NumberInput
        label={t('fields.retentionDays')}
        description={t('fields.retentionHint')}
        name="retentionDays"
        required
        min={0}
        max={3650}
        allowDecimal={false}
        allowNegative={false}
        hideControls
        w={260}
        value={draft.retentionDays}
        onChange={(v) => set('retentionDays', typeof v === 'number' ? v : v === '' ? '' : Number(v))}
        error={fields.retentionDays}
      />
    </FormDialog>
  );
}
