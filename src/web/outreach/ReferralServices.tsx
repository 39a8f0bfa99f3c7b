/**
 * Referring the person to a service of the directory: filtered by default to the contact's
 * municipality and language (a service serving the whole project, or whose languages are not
 * stated, is always offered), by kind if wanted; each service as a large choice with what the
 * caller tells the person (organisation, phone, website, who it serves); then whether the person
 * only heard the proposal or accepted it.
 */
import { Anchor, Button, Card, Group, Loader, NativeSelect, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../app/api.ts';
import { MunicipalitySelect, ProblemAlert, useProblem } from '../app/ui.tsx';
import { COMMON_LANGUAGES, languageLabel } from '../referrals/intake.ts';
import { contactPath, type Municipality, type Referral, SERVICE_KINDS, type Service, serviceKindLabel, useServices } from './outreach.ts';

function ServiceChoice({ service: s, checked, invalid, names }: { service: Service; checked: boolean; invalid: boolean; names: ReadonlyMap<string, string> }) {
  const { t, i18n } = useTranslation('outreach');
  const served = s.nisCodes.length ? s.nisCodes.map((n) => names.get(n) ?? n).join(', ') : t('referral.wholeProject');
  const languages = s.languages.length ? s.languages.map((l) => languageLabel(l, i18n.language, t)).join(', ') : t('referral.languagesNotStated');
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      bg={checked ? 'blue.0' : undefined}
      style={{ borderColor: checked ? 'var(--mantine-color-blue-7)' : undefined }}
      data-service={s.name}
    >
      <Radio
        value={s.id}
        size="md"
        aria-invalid={invalid || undefined}
        label={
          <Text span fw={700}>
            {s.name}
          </Text>
        }
        description={
          <Stack gap={2} component="span">
            <Text span size="sm" c="dark.7">
              {[serviceKindLabel(t, s.kind), s.organisationName].filter(Boolean).join(' · ')}
            </Text>
            <Text span size="sm" c="dark.7">
              {t('referral.serves', { municipalities: served, languages })}
            </Text>
            {s.description ? (
              <Text span size="sm" c="dark.7">
                {s.description}
              </Text>
            ) : null}
          </Stack>
        }
      />
      {s.phone || s.website ? (
        <Group gap="md" mt={6} ml={36}>
          {s.phone ? (
            <Anchor href={`tel:${s.phone.replace(/[^+\d]/g, '')}`} size="sm">
              {t('referral.phone', { phone: s.phone })}
            </Anchor>
          ) : null}
          {s.website ? (
            <Anchor href={s.website} target="_blank" rel="noreferrer" size="sm">
              {t('referral.website', { name: s.name })}
            </Anchor>
          ) : null}
        </Group>
      ) : null}
    </Paper>
  );
}

export function ReferToService({
  programmeId,
  contactId,
  conversationId,
  defaults,
  municipalities,
  onReferred,
}: {
  programmeId: string;
  contactId: string;
  conversationId: string | null;
  defaults: { nisCode: string; language: string };
  municipalities: Municipality[];
  onReferred: (r: Referral) => void;
}) {
  const { t, i18n } = useTranslation('outreach');
  const qc = useQueryClient();
  const [filter, setFilter] = useState({ kind: '', nisCode: defaults.nisCode, language: defaults.language });
  const [serviceId, setServiceId] = useState('');
  const [status, setStatus] = useState('proposed');
  const [local, setLocal] = useState<string | undefined>();
  // The directory's active services, all on one page (a caller chooses among them).
  const services = useServices(programmeId, { ...filter, active: 'true' }, 1, 100);
  const names = new Map(municipalities.map((m) => [m.nisCode, m.name]));
  const problem = useProblem();
  const refer = useMutation({
    mutationFn: () =>
      post<Referral>(`${contactPath(programmeId, contactId)}/referrals`, {
        serviceId,
        status,
        ...(conversationId ? { conversationId } : {}),
      }),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['outreach-referrals', programmeId, contactId] });
      setServiceId('');
      setStatus('proposed');
      onReferred(r);
    },
  });
  const languages = [...new Set([...COMMON_LANGUAGES, ...(filter.language ? [filter.language] : [])])];
  const items = services.data?.items ?? [];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="refer-heading">
      <form
        id="refer"
        noValidate
        aria-labelledby="refer-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (!serviceId) {
            setLocal(t('referral.chooseService'));
            setTimeout(() => document.querySelector<HTMLElement>('#refer [aria-invalid="true"]')?.focus(), 0);
            return;
          }
          refer.mutate();
        }}
      >
        <Stack gap="md">
          <Title order={2} size="h3" id="refer-heading">
            {t('referral.referTitle')}
          </Title>
          <Group align="flex-end" wrap="wrap" role="search" aria-label={t('referral.filters')}>
            <NativeSelect
              label={t('referral.kind')}
              name="kind"
              value={filter.kind}
              onChange={(e) => setFilter((f) => ({ ...f, kind: e.currentTarget.value }))}
              data={[{ value: '', label: t('referral.allKinds') }, ...SERVICE_KINDS.map((k) => ({ value: k, label: serviceKindLabel(t, k) }))]}
              w={240}
            />
            <MunicipalitySelect
              label={t('referral.municipality')}
              allLabel={t('worklist.allMunicipalities')}
              municipalities={municipalities}
              name="serviceNisCode"
              value={filter.nisCode}
              onChange={(v) => setFilter((f) => ({ ...f, nisCode: v }))}
            />
            <NativeSelect
              label={t('referral.language')}
              name="serviceLanguage"
              value={filter.language}
              onChange={(e) => setFilter((f) => ({ ...f, language: e.currentTarget.value }))}
              data={[{ value: '', label: t('worklist.allLanguages') }, ...languages.map((l) => ({ value: l, label: languageLabel(l, i18n.language, t) }))]}
              w={200}
            />
          </Group>
          <ProblemAlert error={services.error ?? problem.error} />
          {services.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
          {services.data && items.length === 0 ? <Text>{t('referral.noServices')}</Text> : null}
          {items.length ? (
            <Radio.Group
              label={t('referral.service', { n: services.data?.total ?? items.length })}
              name="serviceId"
              value={serviceId}
              onChange={(v) => {
                setServiceId(v);
                setLocal(undefined);
              }}
              error={local ?? problem.fields.serviceId}
              required
            >
              <Stack gap="xs" mt={6} aria-busy={services.isFetching}>
                {items.map((s) => (
                  <ServiceChoice key={s.id} service={s} checked={serviceId === s.id} invalid={!!(local ?? problem.fields.serviceId)} names={names} />
                ))}
              </Stack>
            </Radio.Group>
          ) : null}
          <Radio.Group label={t('referral.personSays')} name="status" value={status} onChange={setStatus} error={problem.fields.status}>
            <Group gap="lg" mt={6}>
              <Radio value="proposed" size="md" label={t('referral.statusChoice.proposed')} />
              <Radio value="accepted" size="md" label={t('referral.statusChoice.accepted')} />
            </Group>
          </Radio.Group>
          <div>
            <Button type="submit" size="md" loading={refer.isPending} disabled={!items.length}>
              {t('referral.submit')}
            </Button>
          </div>
          <Text size="xs" c="dimmed">
            {t('referral.statusHint')}
          </Text>
        </Stack>
      </form>
    </Card>
  );
}
