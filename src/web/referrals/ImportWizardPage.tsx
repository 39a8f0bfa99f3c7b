/**
 * A police export, imported in four steps:
 * 1. the sender (a police zone with an active protocol) and the file; the browser sends the
 *    start of a CSV (a whole workbook for Excel) to be inspected: format, headers, suggestions;
 * 2. the columns: which column of the file holds which of Haven's fields (suggested, or a saved
 *    mapping), what will not be imported, what the protocol does not allow;
 * 3. the upload: the import is started (protocol and mapping checked), then the whole file is
 *    sent, with the progress of the upload and then of the reading;
 * 4. the preview, commit or discard (the same view as an import's own page).
 * Once started, the import is in the address (`&import=<id>`), so a reload lands on it again.
 */
import { Alert, Anchor, Box, Button, Card, FileInput, Group, List, NativeSelect, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { formatDate } from '../../kernel/i18n/locales.ts';
import { FIELD_CATEGORY, IMPORT_FIELDS, REQUIRED_FIELDS } from '../../modules/referrals/fields.ts';
import { ApiError, api, post, queryString } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import { Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { ImportFollow } from './ImportPage.tsx';
import { PercentProgress, ReadingProgress } from './IntakeBits.tsx';
import {
  type ColumnMapping,
  contentTypeOf,
  fieldLabel,
  fileKind,
  formatBytes,
  type Import,
  INSPECT_BYTES,
  type Inspection,
  importPath,
  importsPath,
  type Sender,
  sendFile,
  useImport,
  useImportOptions,
} from './intake.ts';
import { useProgrammeContext } from './ProgrammePicker.tsx';

const ACCEPT = '.csv,.txt,.xlsx,.xls,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel';
type Step = 0 | 1 | 2 | 3;

/** Steps as an ordered list: where one is, what is done, what comes (a screen reader hears it too). */
function Steps({ active }: { active: Step }) {
  const { t } = useTranslation('intake');
  const labels = [t('wizard.step.file'), t('wizard.step.columns'), t('wizard.step.upload'), t('wizard.step.preview')];
  return (
    <Box
      component="ol"
      aria-label={t('wizard.stepsLabel')}
      className="wizard-steps"
      m={0}
      p={0}
      style={{ display: 'flex', gap: 8, flexWrap: 'wrap', listStyle: 'none' }}
    >
      {labels.map((label, i) => {
        const state = i < active ? 'done' : i === active ? 'current' : 'todo';
        return (
          <Box
            component="li"
            key={label}
            aria-current={state === 'current' ? 'step' : undefined}
            data-state={state}
            px="sm"
            py={6}
            style={{
              border: `2px solid ${state === 'current' ? 'var(--mantine-color-blue-8)' : 'var(--mantine-color-gray-4)'}`,
              borderRadius: 'var(--mantine-radius-sm)',
              background: state === 'current' ? 'var(--mantine-color-blue-0)' : undefined,
              fontWeight: state === 'current' ? 700 : 400,
            }}
          >
            <Text size="sm" span>
              {t('wizard.stepN', { n: i + 1 })} {label}
              {state === 'done' ? <Text span size="sm">{` (${t('wizard.done')})`}</Text> : null}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

/** Only the headers that exist in this file: a saved mapping may name more. */
function within(columns: ColumnMapping, headers: readonly string[]): ColumnMapping {
  const out: ColumnMapping = {};
  for (const f of IMPORT_FIELDS) {
    const h = columns[f];
    if (h !== undefined && headers.includes(h)) out[f] = h;
  }
  return out;
}

const sameMapping = (a: ColumnMapping, b: ColumnMapping) => IMPORT_FIELDS.every((f) => (a[f] ?? '') === (b[f] ?? ''));

/** The error of a problem that concerns the file: the file field, its name, its size or type. */
function fileErrorOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const fields = error.fieldErrors();
  if (fields.file) return fields.file;
  if (fields.fileName) return fields.fileName;
  if (error.code === 'file_too_large' || error.code === 'unsupported_media_type' || error.status === 413 || error.status === 415) return error.problem.detail;
  return undefined;
}

function hasColumnErrors(error: unknown): boolean {
  return error instanceof ApiError && Object.keys(error.fieldErrors()).some((k) => k.startsWith('columns'));
}

function ColumnsStep({
  sender,
  file,
  inspection,
  mapping,
  setMapping,
  mappingName,
  setMappingName,
  saveAs,
  setSaveAs,
  fields,
}: {
  sender: Sender;
  file: File;
  inspection: Inspection;
  mapping: ColumnMapping;
  setMapping: (m: ColumnMapping) => void;
  mappingName: string;
  setMappingName: (n: string) => void;
  saveAs: string;
  setSaveAs: (n: string) => void;
  fields: Record<string, string>;
}) {
  const { t } = useTranslation('intake');
  const allowed = new Set(sender.protocol.categories);
  const used = new Set(Object.values(mapping));
  const unused = inspection.headers.filter((h) => !used.has(h));
  const headerOptions = [{ value: '', label: t('wizard.notImported') }, ...inspection.headers.map((h) => ({ value: h, label: h }))];
  const chooseSaved = (name: string) => {
    setMappingName(name);
    const saved = inspection.savedMappings.find((m) => m.name === name);
    setMapping(saved ? within(saved.columns, inspection.headers) : inspection.suggested);
  };
  return (
    <Stack gap="md">
      <Text size="sm" data-testid="file-facts">
        {t('wizard.fileFacts', {
          file: file.name,
          size: formatBytes(file.size),
          format: inspection.format === 'xlsx' ? 'Excel (.xlsx)' : 'CSV',
          columns: inspection.headers.length,
        })}
        {inspection.format === 'csv' && inspection.delimiter
          ? ` ${t('wizard.csvFacts', { encoding: inspection.encoding ?? '?', delimiter: inspection.delimiter })}`
          : null}
      </Text>
      {inspection.savedMappings.length ? (
        <NativeSelect
          label={t('wizard.savedMapping')}
          name="mappingName"
          value={mappingName}
          onChange={(e) => chooseSaved(e.currentTarget.value)}
          data={[{ value: '', label: t('wizard.suggestion') }, ...inspection.savedMappings.map((m) => ({ value: m.name, label: m.name }))]}
          w={360}
          error={fields.mappingName}
        />
      ) : null}
      {fields.columns ? (
        <Text c="red.9" size="sm" role="alert">
          {fields.columns}
        </Text>
      ) : null}
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing={6} data-testid="mapping">
          <Table.Caption>
            <VisuallyHidden>{t('wizard.mappingCaption')}</VisuallyHidden>
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('wizard.havenField')}</Table.Th>
              <Table.Th scope="col">{t('wizard.fileColumn')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {IMPORT_FIELDS.map((f) => {
              const category = FIELD_CATEGORY[f];
              const dropped = !allowed.has(category);
              const required = !dropped && REQUIRED_FIELDS.includes(f);
              const id = `map-${f}`;
              const error = fields[`columns.${f}`];
              return (
                <Table.Tr key={f} data-field={f} data-dropped={dropped || undefined}>
                  <Table.Th scope="row" fw={required ? 700 : 500}>
                    <label htmlFor={id}>
                      {fieldLabel(t, f)}
                      {required ? (
                        <Text span c="red.9" fw={700}>
                          {' '}
                          {t('wizard.required')}
                        </Text>
                      ) : null}
                    </label>
                  </Table.Th>
                  <Table.Td>
                    <NativeSelect
                      id={id}
                      name={`columns.${f}`}
                      value={mapping[f] ?? ''}
                      disabled={dropped}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        const next = { ...mapping };
                        if (v) next[f] = v;
                        else delete next[f];
                        setMapping(next);
                      }}
                      data={headerOptions}
                      error={error}
                      required={required}
                      description={dropped ? t('wizard.droppedByProtocol', { category: t(`category.${category}`) }) : undefined}
                      maw={420}
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack gap={4} data-testid="unused-columns">
        <Title order={3} size="h5">
          {t('wizard.unusedTitle')}
        </Title>
        {unused.length ? (
          <List size="sm">
            {unused.map((h) => (
              <List.Item key={h}>{h}</List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm">{t('wizard.allUsed')}</Text>
        )}
      </Stack>
      <TextInput
        label={t('wizard.saveAs')}
        description={t('wizard.saveAsHint', { sender: sender.name })}
        name="saveMappingAs"
        value={saveAs}
        onChange={(e) => setSaveAs(e.currentTarget.value)}
        maxLength={100}
        w={360}
        error={fields.saveMappingAs}
      />
    </Stack>
  );
}

function Wizard({ programmeId }: { programmeId: string }) {
  const { t } = useTranslation('intake');
  const { session } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const importId = params.get('import');
  const options = useImportOptions(programmeId);
  const followed = useImport(programmeId, importId);
  const [step, setStep] = useState<0 | 1>(0);
  const [senderId, setSenderId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [inspection, setInspection] = useState<Inspection | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [mappingName, setMappingName] = useState('');
  const [saveAs, setSaveAs] = useState('');
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const fileProblem = useProblem();
  const mapProblem = useProblem();
  const uploadProblem = useProblem();
  const csrfToken = session?.csrfToken ?? null;

  const senders = options.data?.senders ?? [];
  const sender = senders.find((s) => s.id === senderId) ?? (senders.length === 1 ? senders[0] : undefined);
  const maxBytes = options.data?.maxBytes ?? 0;

  const setImportParam = (id: string | null) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (id) n.set('import', id);
        else n.delete('import');
        return n;
      },
      { replace: true },
    );

  const inspect = useMutation({
    mutationFn: async ({ f, s }: { f: File; s: Sender }) => {
      // The start of a CSV is enough to read its header; a workbook is read whole (a ZIP ends with its index).
      const kind = await fileKind(f);
      return api<Inspection>('POST', `${importsPath(programmeId)}/inspect${queryString({ fileName: f.name, senderOrganisationId: s.id })}`, undefined, {
        data: kind === 'xlsx' ? f : f.slice(0, INSPECT_BYTES),
        type: contentTypeOf(kind),
      });
    },
    onMutate: () => fileProblem.clear(),
    onError: fileProblem.setError,
    onSuccess: (ins, { s }) => {
      setInspection(ins);
      mapProblem.clear();
      // A mapping saved for this sender and fitting this file is a person's choice: it wins.
      const saved = ins.savedMappings[0] ?? s.mappings.find((m) => Object.values(m.columns).every((h) => ins.headers.includes(h as string)));
      setMapping(saved ? within(saved.columns, ins.headers) : ins.suggested);
      setMappingName(saved?.name ?? '');
      setStep(1);
    },
  });

  const upload = useMutation({
    mutationFn: async ({ imp, f }: { imp: Import; f: File }) => {
      setProgress({ sent: 0, total: f.size });
      return sendFile<Import>({
        method: 'PUT',
        path: `${importPath(programmeId, imp.id)}/file`,
        body: f,
        contentType: contentTypeOf(await fileKind(f)),
        csrfToken,
        onProgress: (sent, total) => setProgress({ sent, total }),
      });
    },
    onMutate: () => uploadProblem.clear(),
    onSuccess: async (done) => {
      qc.setQueryData(['imports', programmeId, done.id], done);
      await qc.invalidateQueries({ queryKey: ['imports', programmeId, 'list'] });
    },
    onError: (error, { imp }) => {
      // A file that could not be read leaves no import behind; one refused before reading (too
      // large) waits for a file that will not come: drop it, so the list does not keep it.
      void post(`${importPath(programmeId, imp.id)}/discard`).catch(() => undefined);
      qc.removeQueries({ queryKey: ['imports', programmeId, imp.id] });
      void qc.invalidateQueries({ queryKey: ['imports', programmeId, 'list'] });
      setImportParam(null);
      if (hasColumnErrors(error)) {
        setStep(1);
        mapProblem.setError(error);
      } else if (fileErrorOf(error)) {
        setStep(0);
        fileProblem.setError(error);
      } else {
        setStep(1);
        uploadProblem.setError(error);
      }
    },
  });

  const start = useMutation({
    mutationFn: () => {
      const columns = mapping;
      const saved = inspection?.savedMappings.find((m) => m.name === mappingName);
      return post<Import>(importsPath(programmeId), {
        fileName: (file as File).name,
        senderOrganisationId: sender?.id,
        columns,
        ...(saved && sameMapping(within(saved.columns, inspection?.headers ?? []), columns) ? { mappingName: saved.name } : {}),
        ...(saveAs.trim() ? { saveMappingAs: saveAs.trim() } : {}),
      });
    },
    onMutate: () => {
      mapProblem.clear();
      uploadProblem.clear();
    },
    onError: mapProblem.setError,
    onSuccess: (imp) => {
      qc.setQueryData(['imports', programmeId, imp.id], imp);
      setImportParam(imp.id);
      upload.mutate({ imp, f: file as File });
    },
  });

  const submitFile = () => {
    setFileError(null);
    fileProblem.clear();
    if (!file) {
      setFileError(t('wizard.chooseFile'));
      document.querySelector<HTMLElement>('#import-file')?.focus();
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      setFileError(t('errors:file_too_large.detail', { max: formatBytes(maxBytes) }));
      document.querySelector<HTMLElement>('#import-file')?.focus();
      return;
    }
    if (!sender) return;
    inspect.mutate({ f: file, s: sender });
  };

  // Where we are: before the import exists, the local step; then the upload; then the import itself.
  const uploading = upload.isPending || start.isPending;
  const status = followed.data?.status;
  const active: Step = uploading ? 2 : importId ? (status === 'parsing' || status === 'awaiting_file' || !status ? 2 : 3) : step;

  if (options.isPending) return <Steps active={0} />;
  if (options.isError) return <ProblemAlert error={options.error} />;

  return (
    <Stack gap="lg">
      <Steps active={active} />
      {importId && !uploading ? (
        <ImportFollow
          programmeId={programmeId}
          importId={importId}
          onDiscarded={() => navigate(`/referrals/imports?programme=${programmeId}`, { state: { notice: t('follow.discardedNotice') } })}
          onRestart={() => {
            setImportParam(null);
            setStep(0);
          }}
        />
      ) : uploading ? (
        <Card withBorder padding="lg" component="section" aria-labelledby="upload-title">
          <Stack gap="md">
            <Title order={2} size="h3" id="upload-title">
              {t('wizard.uploadTitle')}
            </Title>
            {progress ? (
              <PercentProgress
                value={progress.total ? (progress.sent / progress.total) * 100 : 0}
                label={t('wizard.uploadLabel', { file: file?.name ?? '' })}
                detail={t('wizard.uploadDetail', {
                  sent: formatBytes(progress.sent),
                  total: formatBytes(progress.total),
                  percent: progress.total ? Math.round((progress.sent / progress.total) * 100) : 0,
                })}
              />
            ) : null}
            {followed.data?.status === 'parsing' || (progress && progress.sent >= progress.total) ? (
              <ReadingProgress rowsRead={followed.data?.rowsRead ?? 0} label={t('progress.readingNamed', { file: file?.name ?? '' })} />
            ) : null}
          </Stack>
        </Card>
      ) : step === 0 ? (
        <form
          noValidate
          aria-labelledby="file-step-title"
          onSubmit={(e) => {
            e.preventDefault();
            submitFile();
          }}
        >
          <Card withBorder padding="lg">
            <Stack gap="md">
              <Title order={2} size="h3" id="file-step-title">
                {t('wizard.fileTitle')}
              </Title>
              {senders.length === 0 ? (
                <Alert color="red.9" variant="light" title={t('wizard.noSenderTitle')} role="alert">
                  {t('wizard.noSender')}
                </Alert>
              ) : (
                <>
                  <ProblemAlert error={fileProblem.error} />
                  <NativeSelect
                    label={t('wizard.sender')}
                    name="senderOrganisationId"
                    required
                    value={sender?.id ?? ''}
                    onChange={(e) => setSenderId(e.currentTarget.value)}
                    data={[...(sender ? [] : [{ value: '', label: t('wizard.chooseSender') }]), ...senders.map((s) => ({ value: s.id, label: s.name }))]}
                    description={
                      sender
                        ? t(sender.protocol.validTo ? 'wizard.protocolUntil' : 'wizard.protocolOpen', {
                            title: sender.protocol.title,
                            to: sender.protocol.validTo ? formatDate(sender.protocol.validTo) : '',
                          })
                        : undefined
                    }
                    error={fileProblem.fields.senderOrganisationId}
                    w={420}
                  />
                  <FileInput
                    id="import-file"
                    label={t('wizard.file')}
                    description={t('wizard.fileHint', { max: formatBytes(maxBytes) })}
                    placeholder={t('wizard.filePlaceholder')}
                    accept={ACCEPT}
                    required
                    value={file}
                    onChange={(f) => {
                      setFile(f);
                      setFileError(null);
                      fileProblem.clear();
                      setInspection(null);
                    }}
                    clearable
                    clearButtonProps={{ 'aria-label': t('wizard.clearFile') }}
                    error={fileError ?? fileErrorOf(fileProblem.error)}
                    w={420}
                  />
                  <Group>
                    <Button type="submit" loading={inspect.isPending} disabled={!sender}>
                      {t('wizard.toColumns')}
                    </Button>
                  </Group>
                </>
              )}
            </Stack>
          </Card>
        </form>
      ) : sender && file && inspection ? (
        <form
          noValidate
          aria-labelledby="columns-step-title"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <Card withBorder padding="lg">
            <Stack gap="md">
              <Title order={2} size="h3" id="columns-step-title">
                {t('wizard.columnsTitle')}
              </Title>
              <Text size="sm">{t('wizard.columnsIntro')}</Text>
              <ProblemAlert error={mapProblem.error ?? uploadProblem.error} />
              <ColumnsStep
                sender={sender}
                file={file}
                inspection={inspection}
                mapping={mapping}
                setMapping={setMapping}
                mappingName={mappingName}
                setMappingName={setMappingName}
                saveAs={saveAs}
                setSaveAs={setSaveAs}
                fields={mapProblem.fields}
              />
              <Group>
                <Button variant="default" onClick={() => setStep(0)}>
                  {t('wizard.back')}
                </Button>
                <Button type="submit" loading={start.isPending}>
                  {t('wizard.toUpload')}
                </Button>
              </Group>
            </Stack>
          </Card>
        </form>
      ) : null}
    </Stack>
  );
}

/** `/referrals/imports/new` */
export function ImportWizardPage() {
  const { t } = useTranslation('intake');
  const ctx = useProgrammeContext('imports.create');
  return (
    <Page title={t('wizard.title')}>
      <Box>
        <Anchor component={Link} to={`/referrals/imports${ctx.search}`} size="sm">
          {t('follow.back')}
        </Anchor>
      </Box>
      {ctx.programmeId ? <Wizard key={ctx.programmeId} programmeId={ctx.programmeId} /> : ctx.picker}
    </Page>
  );
}
