/**
 * The data-sharing protocols of a programme: under which signed protocol each police zone may
 * share its green dossiers. A coordinator records a protocol (a draft), uploads the signed PDF
 * (then it counts, within its dates), can move the end date of a signed one, and revoke it.
 * Others who may read protocols (the DPO) see the same, without the buttons.
 */
import { Anchor, Badge, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Permission, scopeOf } from '../../kernel/authz/permissions.ts';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { post } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog, Notice, Page, ProblemAlert, useDialogFor, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from './ProgrammePicker.tsx';
import { type Protocol, type ProtocolStatus, protocolPath, protocolsKey, useProtocols } from './ProtocolApi.ts';
import { formatSize, ProtocolEndDateForm, ProtocolUploadForm } from './ProtocolDialogs.tsx';
import { ProtocolForm } from './ProtocolForm.tsx';

/** Dark enough for white text; the status is always in words as well. */
const STATUS_COLOUR: Record<ProtocolStatus, string> = {
  draft: 'gray.7',
  active: 'teal.9',
  not_yet_valid: 'blue.8',
  expired: 'orange.9',
  revoked: 'red.9',
};

export function ProtocolStatusBadge({ status }: { status: ProtocolStatus }) {
  const { t } = useTranslation('protocols');
  return (
    <Badge color={STATUS_COLOUR[status]} variant="filled" data-status={status}>
      {t(`status.${status}`)}
    </Badge>
  );
}

/** True when the user holds `permission` in that programme (or everywhere). */
function useAllows(permission: Permission, programmeId: string | null): boolean {
  const { session } = useSession();
  if (!programmeId || !session) return false;
  const scope = scopeOf(session.grants, permission);
  return scope.kind === 'all' || (scope.kind === 'programmes' && scope.ids.includes(programmeId));
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={700} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ whiteSpace: 'pre-line' }}>
        {children}
      </Text>
    </Stack>
  );
}

function ProtocolCard({
  protocol: p,
  manage,
  onEdit,
  onUpload,
  onEndDate,
  onRevoke,
}: {
  protocol: Protocol;
  manage: boolean;
  onEdit: () => void;
  onUpload: () => void;
  onEndDate: () => void;
  onRevoke: () => void;
}) {
  const { t } = useTranslation('protocols');
  const headingId = `protocol-${p.id}`;
  const open = p.status !== 'revoked';
  return (
    <Card withBorder padding="lg" component="li" aria-labelledby={headingId} data-testid="protocol">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Stack gap={4}>
            <Title order={2} size="h3" id={headingId}>
              {p.title}
            </Title>
            <Group gap="xs">
              <ProtocolStatusBadge status={p.status} />
              <Text size="sm" c="dimmed">
                {t('card.partiesText', { sender: p.senderName, receiver: p.receiverName })}
              </Text>
            </Group>
          </Stack>
          {manage && open ? (
            <Group gap="xs" role="group" aria-label={t('card.actions', { title: p.title })}>
              {p.document ? null : (
                <>
                  <Button onClick={onUpload} aria-label={t('upload.named', { title: p.title })}>
                    {t('upload.action')}
                  </Button>
                  <Button variant="default" onClick={onEdit} aria-label={t('edit.named', { title: p.title })}>
                    {t('edit.action')}
                  </Button>
                </>
              )}
              {p.document ? (
                <Button variant="default" onClick={onEndDate} aria-label={t('endDate.named', { title: p.title })}>
                  {t('endDate.action')}
                </Button>
              ) : null}
              <Button variant="outline" color="red.9" onClick={onRevoke} aria-label={t('revoke.named', { title: p.title })}>
                {t('revoke.action')}
              </Button>
            </Group>
          ) : null}
        </Group>
        <SimpleGrid cols={{ base: 1, md: 2 }} component="dl" m={0} spacing="md">
          <Term label={t('card.validity')}>
            {p.validTo
              ? t('card.period', { from: formatDate(p.validFrom), to: formatDate(p.validTo) })
              : t('card.openEnded', { from: formatDate(p.validFrom) })}
          </Term>
          <Term label={t('card.retention')}>{t('card.retentionText', { days: p.retentionDays })}</Term>
          <Term label={t('card.purpose')}>{p.purpose}</Term>
          <Term label={t('card.legalBasis')}>
            {t(`legalBasis.${p.legalBasis}`)}
            {p.legalBasisText ? `\n${p.legalBasisText}` : ''}
          </Term>
          <Term label={t('card.categories')}>{p.categories.map((c) => t(`category.${c}`)).join(', ')}</Term>
          <Term label={t('card.document')}>
            {p.document ? (
              <Stack gap={2} component="span">
                <span>
                  <Anchor href={`${protocolPath(p)}/document`} download={p.document.name} aria-label={t('download.named', { title: p.title })}>
                    {t('download.action')}
                  </Anchor>{' '}
                  ({t('card.documentText', { name: p.document.name, size: formatSize(p.document.size) })})
                </span>
                <span>
                  {t('card.fingerprint')}: <Code style={{ wordBreak: 'break-all' }}>{p.document.sha256}</Code>
                </span>
              </Stack>
            ) : (
              t('card.noDocument')
            )}
          </Term>
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {p.createdByName
            ? t('card.recorded', { name: p.createdByName, date: formatDate(p.createdAt) })
            : t('card.recordedBySystem', { date: formatDate(p.createdAt) })}
          {p.revokedAt ? ` ${t('card.revokedOn', { date: formatDate(p.revokedAt) })}` : ''}
        </Text>
      </Stack>
    </Card>
  );
}

export function ProtocolsPage() {
  const { t } = useTranslation('protocols');
  const qc = useQueryClient();
  const ctx = useProgrammeContext('protocols.read');
  const programmeId = ctx.programmeId;
  const manage = useAllows('protocols.manage', programmeId);
  const protocols = useProtocols(programmeId);
  const creating = useDialogFor<true>();
  const editing = useDialogFor<Protocol>();
  const uploading = useDialogFor<Protocol>();
  const ending = useDialogFor<Protocol>();
  const revoking = useDialogFor<Protocol>();
  const revokeProblem = useProblem();
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = useMutation({
    mutationFn: (p: Protocol) => post<Protocol>(`${protocolPath(p)}/revoke`),
    onMutate: () => revokeProblem.clear(),
    onError: revokeProblem.setError,
    onSuccess: async (p) => {
      await qc.invalidateQueries({ queryKey: protocolsKey(p.programmeId) });
      revoking.close();
      setNotice(t('revoke.done', { title: p.title }));
    },
  });

  return (
    <Page title={t('title')} description={t('intro')} actions={manage ? <Button onClick={() => creating.open(true)}>{t('new')}</Button> : null}>
      {notice ? <Notice onClose={() => setNotice(null)}>{notice}</Notice> : null}
      <Group align="flex-end">{ctx.picker}</Group>
      <ProblemAlert error={protocols.error} />
      {programmeId && protocols.isPending ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {protocols.data && protocols.data.items.length === 0 ? <Text>{t('empty')}</Text> : null}
      {protocols.data?.items.length ? (
        <Stack component="ul" gap="md" className="nav-list" aria-label={t('listLabel', { programme: ctx.programme?.name ?? '' })}>
          {protocols.data.items.map((p) => (
            <ProtocolCard
              key={p.id}
              protocol={p}
              manage={manage}
              onEdit={() => editing.open(p)}
              onUpload={() => uploading.open(p)}
              onEndDate={() => ending.open(p)}
              onRevoke={() => {
                revokeProblem.clear();
                revoking.open(p);
              }}
            />
          ))}
        </Stack>
      ) : null}
      {creating.item && programmeId ? (
        <ProtocolForm
          programmeId={programmeId}
          onClose={creating.close}
          onSaved={(p) => {
            creating.close();
            if (p) setNotice(t('create.done', { title: p.title }));
          }}
        />
      ) : null}
      {editing.item ? (
        <ProtocolForm
          programmeId={editing.item.programmeId}
          protocol={editing.item}
          onClose={editing.close}
          onSaved={(p) => {
            editing.close();
            setNotice(p ? t('edit.done', { title: p.title }) : t('edit.unchanged'));
          }}
        />
      ) : null}
      {uploading.item ? (
        <ProtocolUploadForm
          protocol={uploading.item}
          onClose={uploading.close}
          onSaved={(p) => {
            uploading.close();
            setNotice(t('upload.done', { title: p.title, status: t(`status.${p.status}`) }));
          }}
        />
      ) : null}
      {ending.item ? (
        <ProtocolEndDateForm
          protocol={ending.item}
          onClose={ending.close}
          onSaved={(p) => {
            ending.close();
            setNotice(p ? t('endDate.done', { title: p.title }) : t('edit.unchanged'));
          }}
        />
      ) : null}
      <ConfirmDialog
        opened={!!revoking.item}
        title={t('revoke.title', { title: revoking.item?.title ?? '' })}
        confirmLabel={t('revoke.confirm')}
        danger
        busy={revoke.isPending}
        error={revokeProblem.error}
        onConfirm={() => revoking.item && revoke.mutate(revoking.item)}
        onClose={revoking.close}
      >
        {t('revoke.text')}
      </ConfirmDialog>
    </Page>
  );
}
