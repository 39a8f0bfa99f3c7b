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

/**
 * Where a protocol stands on a given day. `active` means exactly what `findActiveProtocol`
 * accepts: signed (document uploaded), not revoked, and valid on that day.
 */
export const PROTOCOL_STATUSES = ['draft', 'active', 'not_yet_valid', 'expired', 'revoked'] as const;
export type ProtocolStatus = (typeof PROTOCOL_STATUSES)[number];

export function protocolStatus(
  p: { revoked_at: Date | null; document_sha256: string | null; valid_from: string; valid_to: string | null },
  on: string,
): ProtocolStatus {
  if (p.revoked_at) return 'revoked';
  if (!p.document_sha256) return 'draft';
  if (p.valid_from > on) return 'not_yet_valid';
  if (p.valid_to !== null && p.valid_to < on) return 'expired';
  return 'active';
}

/** The bytes are a PDF: every PDF starts with `%PDF-` (the content type alone proves nothing). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}

/** A file name safe to store and to send back in Content-Disposition: letters, digits, ` ._()-`, ending in .pdf. */
export function safePdfName(name: string | undefined): string {
  // A browser may send a path (C:\fakepath\…): only the last part is a name.
  const cleaned = (name ?? '')
    .split(/[/\\]/)
    .pop()
    ?.normalize('NFC')
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
    .replace(/^[\s.]+/, '')
    .trim()
    .slice(0, 150);
  if (!cleaned) return 'protocol.pdf';
  return /\.pdf$/i.test(cleaned) ? cleaned : `${cleaned}.pdf`;
}
