import type { Selectable } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { ProtocolsTable } from './schema.ts';

export type ProtocolRow = Omit<Selectable<ProtocolsTable>, 'document'>;

/**
 * The protocol that lets `sender` share data with `programme` on `on` (yyyy-mm-dd): not revoked,
 * valid on that date, and signed (its document uploaded). Several may overlap (a renewal signed
 * before the old one ends): the most recently started one wins.
 */
export async function findActiveProtocol(db: Db, q: { programmeId: string; senderOrganisationId: string; on: string }): Promise<ProtocolRow | undefined> {
  return db
    .selectFrom('protocols')
    .select([
      'id',
      'programme_id',
      'sender_organisation_id',
      'receiver_organisation_id',
      'title',
      'purpose',
      'legal_basis',
      'legal_basis_text',
      'categories',
      'valid_from',
      'valid_to',
      'retention_days',
      'document_name',
      'document_sha256',
      'document_size',
      'revoked_at',
      'created_by',
      'created_at',
      'updated_at',
    ])
    .where('programme_id', '=', q.programmeId)
    .where('sender_organisation_id', '=', q.senderOrganisationId)
    .where('revoked_at', 'is', null)
    .where('document_sha256', 'is not', null)
    .where('valid_from', '<=', q.on)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', q.on)]))
    .orderBy('valid_from', 'desc')
    .executeTakeFirst();
}

/** Today in Europe/Brussels, yyyy-mm-dd: protocols are valid by the Belgian calendar day. */
export function brusselsToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
