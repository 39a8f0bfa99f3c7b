/**
 * The referrals module's sealed columns, for key rotation (`haven keys rotate`), each with the
 * context its values are bound to: the person or the dossier they belong to (see vault.ts).
 */
import { sql } from 'kysely';
import { type SealedColumn, sealedColumn } from '../../kernel/vault/sealed-columns.ts';
import { identityContext, pvContext } from './vault.ts';

/** The context of an import row's PV number: its dossier's when the row has a PV hash. */
export const importRowPvContext = (pvHash: string | null) => (pvHash ? pvContext(pvHash) : 'import_rows.pv_number');

export const referralsSealedColumns: SealedColumn[] = [
  sealedColumn({
    table: 'contact_identities',
    column: 'data',
    key: ['contact_id'],
    extra: { person_hash: sql`t.person_hash` },
    context: (r) => identityContext(r.person_hash as string),
  }),
  sealedColumn({
    table: 'dossier_identities',
    column: 'pv_number',
    key: ['dossier_id'],
    extra: { pv_hash: sql`(SELECT d.pv_hash FROM dossiers d WHERE d.id = t.dossier_id)` },
    context: (r) => pvContext(r.pv_hash as string),
  }),
  sealedColumn({
    table: 'import_rows',
    column: 'identity',
    key: ['import_id', 'row_no'],
    extra: { person_hash: sql`t.person_hash` },
    context: (r) => identityContext(r.person_hash as string),
  }),
  sealedColumn({
    table: 'import_rows',
    column: 'pv_number',
    key: ['import_id', 'row_no'],
    extra: { pv_hash: sql`t.pv_hash` },
    context: (r) => importRowPvContext(r.pv_hash as string | null),
  }),
];
