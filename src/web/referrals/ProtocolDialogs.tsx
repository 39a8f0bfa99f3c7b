/**
 * What is done to one protocol in a dialog: upload its signed PDF (sent as the raw body of the
 * request, never as JSON), and move the end date of a signed one.
 */
import { Alert, Input, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, putFile } from '../app/api.ts';
import { DateField, FormDialog, useProblem } from '../app/ui.tsx';
import { PROTOCOL_MAX_BYTES, type Protocol, protocolPath, protocolsKey } from './ProtocolApi.ts';

/** 10485760 → "10 MB", 2048 → "2 kB" */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function ProtocolUploadForm({ protocol, onClose, onSaved }: { protocol: Protocol; onClose: () => void; onSaved: (p: Protocol) => void }) {
  const { t } = useTranslation('protocols');
  const qc = useQueryClient();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const problem = useProblem();
  const max = formatSize(PROTOCOL_MAX_BYTES);

  const upload = useMutation({
    mutationFn: (f: File) => putFile<Protocol>(`${protocolPath(protocol)}/document?fileName=${encodeURIComponent(f.name)}`, f, 'application/pdf'),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      await qc.invalidateQueries({ queryKey: protocolsKey(protocol.programmeId) });
      onSaved(p);
    },
  });

  const submit = () => {
    // What the browser can tell before sending: a file, a PDF by its name or type, not too large.
    const error = !file
      ? t('upload.chooseFile')
      : !(file.type === 'application/pdf' || /\.pdf$/i.test(file.name))
        ? t('upload.notPdf')
        : file.size > PROTOCOL_MAX_BYTES
          ? t('upload.tooLarge', { max })
          : null;
    setFileError(error);
    if (error || !file) {
      document.getElementById(id)?.focus();
      return;
    }
    upload.mutate(file);
  };

  const error = fileError ?? problem.fields.file;
  return (
    <FormDialog
      title={t('upload.title', { title: protocol.title })}
      size="lg"
      error={problem.error}
      busy={upload.isPending}
      submitLabel={t('upload.submit')}
      onSubmit={submit}
      onClose={onClose}
    >
      <Alert color="blue" variant="light">
        <Text size="sm">{t('upload.warning')}</Text>
      </Alert>
      <Input.Wrapper label={t('upload.file', { max })} labelProps={{ htmlFor: id }} required error={error} errorProps={{ id: `${id}-error` }}>
        <Stack gap={4} mt={4}>
          <input
            id={id}
            name="document"
            type="file"
            accept="application/pdf,.pdf"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            data-autofocus
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setFileError(null);
            }}
          />
          {file ? (
            <Text size="sm" c="dimmed">
              {file.name} · {formatSize(file.size)}
            </Text>
          ) : null}
        </Stack>
      </Input.Wrapper>
    </FormDialog>
  );
}

export function ProtocolEndDateForm({ protocol, onClose, onSaved }: { protocol: Protocol; onClose: () => void; onSaved: (p: Protocol | null) => void }) {
  const { t } = useTranslation('protocols');
  const qc = useQueryClient();
  const [validTo, setValidTo] = useState<string | null>(protocol.validTo ?? '');
  const [dateError, setDateError] = useState<string | null>(null);
  const problem = useProblem();
  const save = useMutation({
    mutationFn: () => ((validTo || null) === protocol.validTo ? Promise.resolve(null) : patch<Protocol>(protocolPath(protocol), { validTo: validTo || null })),
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (p) => {
      if (p) await qc.invalidateQueries({ queryKey: protocolsKey(protocol.programmeId) });
      onSaved(p);
    },
  });
  const submit = () => {
    if (validTo === null) {
      setDateError(t('app:date.invalid'));
      document.querySelector<HTMLInputElement>('[role="dialog"] input[name="validTo"]')?.focus();
      return;
    }
    save.mutate();
  };
  return (
    <FormDialog
      title={t('endDate.title', { title: protocol.title })}
      size="lg"
      error={problem.error}
      busy={save.isPending}
      submitLabel={t('endDate.submit')}
      onSubmit={submit}
      onClose={onClose}
    >
      <Text size="sm">{t('endDate.hint')}</Text>
      <DateField
        label={t('fields.validTo')}
        name="validTo"
        description={t('fields.validToHint')}
        value={validTo}
        onChange={(v) => {
          setValidTo(v);
          if (v !== null) setDateError(null);
        }}
        error={dateError ?? problem.fields.validTo}
        data-autofocus
      />
    </FormDialog>
  );
}
