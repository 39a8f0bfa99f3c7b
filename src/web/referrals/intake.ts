/**
 * The referral intake as the web app reads it: shapes of the imports and dossiers API, the
 * queries, the labels of their codes, and sending a file as the raw body of a request (with
 * upload progress), which the JSON helpers of api.ts do not do.
 */
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import type { ImportField } from '../../modules/referrals/fields.ts';
import { ApiError, get, type ProblemBody, queryString } from '../app/api.ts';
import i18n from '../app/i18n.ts';
import type { Paged } from '../app/types.ts';

export type ColumnMapping = Partial<Record<ImportField, string>>;

export interface ImportCounts {
  rows: number;
  /** Accepted rows, those with warnings included. */
  accepted: number;
  withWarnings: number;
  setAside: Record<string, number>;
  warnings: Record<string, number>;
  dossiers: number;
  contacts: number;
  withoutPhone: number;
  alreadyKnown: number;
}

export type ImportStatus = 'awaiting_file' | 'parsing' | 'previewed' | 'committed' | 'refused' | 'failed' | 'discarded';

export interface Import {
  id: string;
  programmeId: string;
  senderOrganisationId: string;
  senderName: string;
  protocolId: string | null;
  protocolTitle: string | null;
  uploadedBy: string | null;
  uploadedByName: string | null;
  fileName: string;
  fileSize: number | null;
  format: string | null;
  encoding: string | null;
  delimiter: string | null;
  mappingName: string | null;
  columns: ColumnMapping;
  droppedFields: ImportField[];
  status: ImportStatus;
  rowsRead: number;
  counts: ImportCounts | null;
  createdAt: string;
  previewedAt: string | null;
  committedAt: string | null;
}

export interface SavedMapping {
  name: string;
  columns: ColumnMapping;
}

export interface Sender {
  id: string;
  name: string;
  protocol: { id: string; title: string; categories: string[]; validTo: string | null };
  mappings: SavedMapping[];
}

export interface ImportOptions {
  senders: Sender[];
  maxBytes: number;
}

export interface Inspection {
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  headers: string[];
  suggested: ColumnMapping;
  unknownHeaders: string[];
  missingRequired: ImportField[];
  savedMappings: SavedMapping[];
}

export type RowOutcome = 'accepted' | 'warning' | 'set_aside';

export interface StagedRow {
  rowNo: number;
  outcome: RowOutcome;
  reason: string | null;
  warnings: { field: string; code: string }[];
  pvNumber: string | null;
}

export type Colour = 'green' | 'orange' | 'red';

export interface Dossier {
  id: string;
  ref: string;
  source: string;
  colour: Colour;
  policeZone: string | null;
  municipality: string | null;
  nisCode: string | null;
  postcode: string | null;
  relation: string | null;
  minorsPresent: boolean | null;
  factsOn: string | null;
  registeredOn: string | null;
  receivedAt: string;
  contacts: number;
  openContacts: number;
}

export interface Contact {
  id: string;
  dossierId: string;
  ref: string;
  colour: Colour;
  municipality: string | null;
  role: string | null;
  gender: string | null;
  language: string | null;
  birthYear: number | null;
  hasPhone: boolean;
  status: 'open' | 'closed';
  outcome: string | null;
  receivedAt: string;
  closedAt: string | null;
  purged: boolean;
}

export interface DossierDetail extends Dossier {
  persons: Contact[];
}

export interface Identity {
  identity: {
    lastName?: string;
    firstName?: string;
    birthDate?: string;
    mobile?: string;
    phone?: string;
    email?: string;
    street?: string;
    houseNumber?: string;
    box?: string;
    remarks?: string;
  };
  pvNumber: string | null;
}

/** How a contact can be closed before outreach begins (the API's INTAKE_OUTCOMES). */
export const INTAKE_OUTCOMES = ['not_informed', 'letter_sent'] as const;

export const importsPath = (programmeId: string) => `/api/programmes/${programmeId}/imports`;
export const importPath = (programmeId: string, importId: string) => `${importsPath(programmeId)}/${importId}`;

/** Polling while a file is being read: often enough to see it move, rarely enough not to weigh. */
export const POLL_MS = 1_000;

export function useImport(programmeId: string | null, importId: string | null) {
  return useQuery({
    queryKey: ['imports', programmeId, importId],
    queryFn: () => get<Import>(importPath(programmeId as string, importId as string)),
    enabled: !!programmeId && !!importId,
    // Followed while its file is being read; no longer once it is gone (an interrupted upload leaves nothing).
    refetchInterval: (q) => (q.state.status !== 'error' && (q.state.data?.status === 'parsing' || q.state.data?.status === 'awaiting_file') ? POLL_MS : false),
  });
}

export function useImportRows(programmeId: string, importId: string, outcome: RowOutcome, page: number, pageSize: number, enabled = true) {
  const filter = { outcome, page, pageSize };
  return useQuery({
    queryKey: ['imports', programmeId, importId, 'rows', filter],
    queryFn: () => get<Paged<StagedRow>>(`${importPath(programmeId, importId)}/rows${queryString(filter)}`),
    placeholderData: (prev) => prev,
    enabled,
  });
}

export function useImportOptions(programmeId: string | null, enabled = true) {
  return useQuery({
    queryKey: ['imports', programmeId, 'options'],
    queryFn: () => get<ImportOptions>(`${importsPath(programmeId as string)}/options`),
    enabled: !!programmeId && enabled,
  });
}

// ---------------------------------------------------------------------------------------------
// Files.

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** How much of a CSV the server needs to read its header and guess its encoding and separator. */
export const INSPECT_BYTES = 64 * 1024;

/** An Excel workbook (a ZIP: `PK\x03\x04`), else a CSV; legacy .xls as itself, for the server to refuse clearly. */
export async function fileKind(file: File): Promise<'xlsx' | 'xls' | 'csv'> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return 'xlsx';
  if (name.endsWith('.xls')) return 'xls';
  return 'csv';
}

export const contentTypeOf = (kind: 'xlsx' | 'xls' | 'csv') => (kind === 'xlsx' ? XLSX_TYPE : kind === 'xls' ? 'application/vnd.ms-excel' : 'text/csv');

/** 1.5 MB, 200 MB, 64 kB: as the server writes its size limit. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${Math.round((n / 2 ** 30) * 10) / 10} GB`;
  if (n >= 2 ** 20) return `${Math.round((n / 2 ** 20) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(n / 2 ** 10))} kB`;
}

function clientProblem(code: 'network' | 'internal', status: number): ProblemBody {
  return { status, code, title: i18n.t(`app:problem.${code}.title`), detail: i18n.t(`app:problem.${code}.detail`) };
}

/**
 * Sends `body` as the raw body of the request (not JSON), with the session's CSRF token, and
 * reports the upload's progress. Answers like api(): the parsed JSON, or an ApiError.
 */
export function sendFile<T>(opts: {
  method: 'POST' | 'PUT';
  path: string;
  body: Blob;
  contentType: string;
  csrfToken: string | null;
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(opts.method, opts.path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('accept-language', i18n.language);
    if (opts.csrfToken) xhr.setRequestHeader('x-csrf-token', opts.csrfToken);
    if (opts.onProgress) {
      const report = opts.onProgress;
      xhr.upload.onprogress = (e) => report(e.loaded, e.lengthComputable ? e.total : opts.body.size);
      xhr.upload.onload = () => report(opts.body.size, opts.body.size);
    }
    xhr.onerror = () => reject(new ApiError(clientProblem('network', 0)));
    xhr.onabort = () => reject(new ApiError(clientProblem('network', 0)));
    xhr.onload = () => {
      const text = xhr.responseText;
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((text ? JSON.parse(text) : undefined) as T);
        } catch {
          reject(new ApiError(clientProblem('internal', xhr.status)));
        }
        return;
      }
      let problem: ProblemBody;
      try {
        const p = JSON.parse(text) as Partial<ProblemBody>;
        problem = p && typeof p.code === 'string' ? (p as ProblemBody) : clientProblem('internal', xhr.status);
      } catch {
        problem = clientProblem('internal', xhr.status);
      }
      problem.status = xhr.status;
      reject(new ApiError(problem));
    };
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(opts.body);
  });
}

// ---------------------------------------------------------------------------------------------
// Labels of the codes (never a colour alone: the colour's name is always written).

export const colourLabel = (t: TFunction, c: string) => t(`intake:colour.${c}`, { defaultValue: c });
export const relationLabel = (t: TFunction, r: string | null) => (r ? t(`intake:relation.${r}`, { defaultValue: r }) : t('intake:unknown'));
export const roleLabel = (t: TFunction, r: string | null) => (r ? t(`intake:personRole.${r}`, { defaultValue: r }) : t('intake:unknown'));
export const genderLabel = (t: TFunction, g: string | null) => (g ? t(`intake:gender.${g}`, { defaultValue: g }) : t('intake:unknown'));
export const statusLabel = (t: TFunction, s: string) => t(`imports:status.${s}`, { defaultValue: s });
export const fieldLabel = (t: TFunction, f: string) => t(`imports:field.${f}`, { defaultValue: f });

/** "Turkish" for `tr`, in the user's language. */
export function languageLabel(code: string | null, locale: string, t: TFunction): string {
  if (!code) return t('intake:unknown');
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : code;
  } catch {
    return code;
  }
}

/** The languages offered when typing a referral in: those met most in Belgian outreach. */
export const COMMON_LANGUAGES = [
  'nl',
  'fr',
  'en',
  'de',
  'ar',
  'tr',
  'es',
  'it',
  'pl',
  'ro',
  'ru',
  'uk',
  'bg',
  'sq',
  'pt',
  'fa',
  'ps',
  'so',
  'ti',
  'ku',
] as const;
