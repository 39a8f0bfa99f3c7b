import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from '../../kernel/db/schema.ts';
import type { ContactOutreachColumns } from '../outreach/schema.ts';
import type { ColumnMapping, DataCategory, FieldWarning } from './fields.ts';

export const LEGAL_BASES = ['gdpr_6_1_e', 'gdpr_6_1_c', 'gdpr_9_2_g', 'penal_code_458ter', 'other'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export interface ProtocolsTable {
  id: Generated<string>;
  programme_id: string;
  sender_organisation_id: string;
  receiver_organisation_id: string;
  title: string;
  purpose: string;
  legal_basis: LegalBasis;
  legal_basis_text: Generated<string>;
  categories: DataCategory[];
  valid_from: string;
  valid_to: string | null;
  retention_days: number;
  document_name: string | null;
  document_sha256: string | null;
  document_size: number | null;
  document: Buffer | null;
  revoked_at: Timestamp | null;
  created_by: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ColumnMappingsTable {
  id: Generated<string>;
  sender_organisation_id: string;
  name: string;
  columns: JSONColumnType<ColumnMapping>;
  updated_at: Generated<Timestamp>;
}

export const IMPORT_STATUSES = ['awaiting_file', 'parsing', 'previewed', 'committed', 'refused', 'failed', 'discarded'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** The figures of an import's preview and result. */
export interface ImportCounts {
  rows: number;
  accepted: number;
  withWarnings: number;
  setAside: Record<string, number>;
  warnings: Record<string, number>;
  dossiers: number;
  contacts: number;
  withoutPhone: number;
  alreadyKnown: number;
}

export interface ImportsTable {
  id: Generated<string>;
  programme_id: string;
  sender_organisation_id: string;
  protocol_id: string | null;
  uploaded_by: string | null;
  file_name: string;
  file_size: number | null;
  file_sha256: string | null;
  format: 'csv' | 'xlsx' | null;
  encoding: string | null;
  delimiter: string | null;
  mapping_name: string | null;
  columns: JSONColumnType<ColumnMapping>;
  dropped_fields: Generated<string[]>;
  status: ImportStatus;
  rows_read: Generated<number>;
  counts: JSONColumnType<ImportCounts> | null;
  problem: JSONColumnType<Record<string, unknown>> | null;
  created_at: Generated<Timestamp>;
  previewed_at: Timestamp | null;
  committed_at: Timestamp | null;
  committed_by: string | null;
}

/** The facts of a row that are not identifying, kept in clear until commit. */
export interface RowFacts {
  colour: 'green' | 'orange' | 'red';
  police_zone?: string;
  municipality?: string;
  nis_code?: string;
  postcode?: string;
  relation?: string;
  minors_present?: boolean;
  facts_on?: string;
  registered_on?: string;
  role?: string;
  gender?: string;
  language?: string;
  birth_year?: number;
  has_phone: boolean;
  phone_hash?: string;
}

export interface ImportRowsTable {
  import_id: string;
  row_no: number;
  outcome: 'accepted' | 'warning' | 'set_aside';
  reason: string | null;
  warnings: ColumnType<FieldWarning[], string | undefined, string>;
  pv_hash: string | null;
  person_hash: string | null;
  facts: ColumnType<RowFacts | null, string | null, string | null>;
  identity: string | null;
  pv_number: string | null;
}

export interface DossiersTable {
  id: Generated<string>;
  programme_id: string;
  protocol_id: string | null;
  import_id: string | null;
  source: 'import' | 'manual';
  pv_hash: string;
  colour: 'green' | 'orange' | 'red';
  police_zone: string | null;
  municipality: string | null;
  nis_code: string | null;
  postcode: string | null;
  relation: string | null;
  minors_present: boolean | null;
  facts_on: string | null;
  registered_on: string | null;
  received_at: Generated<Timestamp>;
  created_by: string | null;
}

export interface DossierIdentitiesTable {
  dossier_id: string;
  pv_number: string;
}

/** A contact; outreach (migration 202612010001) adds the worklist columns it extends with. */
export interface ContactsTable extends ContactOutreachColumns {
  id: Generated<string>;
  dossier_id: string;
  programme_id: string;
  person_hash: string;
  role: string | null;
  gender: string | null;
  language: string | null;
  birth_year: number | null;
  has_phone: boolean;
  phone_hash: string | null;
  status: Generated<'open' | 'closed'>;
  outcome: string | null;
  received_at: Generated<Timestamp>;
  closed_at: Timestamp | null;
  retention_until: Timestamp | null;
  purged_at: Timestamp | null;
}

export interface ContactIdentitiesTable {
  contact_id: string;
  person_hash: string;
  data: string;
}

declare module '../../kernel/db/schema.ts' {
  interface Database {
    protocols: ProtocolsTable;
    column_mappings: ColumnMappingsTable;
    imports: ImportsTable;
    import_rows: ImportRowsTable;
    dossiers: DossiersTable;
    dossier_identities: DossierIdentitiesTable;
    contacts: ContactsTable;
    contact_identities: ContactIdentitiesTable;
  }
}
