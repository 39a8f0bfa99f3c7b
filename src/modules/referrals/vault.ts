/**
 * The identity vault of the referrals module: what names a person is sealed (AES-256-GCM, see
 * src/kernel/vault/keyring.ts) and found again only through keyed hashes. Each sealed value is
 * bound to its record by the AEAD context, so a value copied onto another record does not open.
 * Reading it is only possible through `readContactIdentity`, which writes the audit event.
 */
import type { AuditEvent } from '../../kernel/audit/audit.ts';
import type { Db } from '../../kernel/db/database.ts';
import { problems } from '../../kernel/http/problem.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import type { NormalisedRow } from './fields.ts';

/** The sealed document of one contact. */
export interface IdentityDocument {
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
}

export const identityContext = (personHash: string) => `contact_identities.data:${personHash}`;
export const pvContext = (pvHash: string) => `dossier_identities.pv_number:${pvHash}`;

/** Lower case, no accents, letters and digits only: how names and places are compared. */
export function foldKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export const municipalityKey = foldKey;

/** Hashes are per programme: the same person in two programmes cannot be linked by them. */
export function pvHash(keys: KeyRing, programmeId: string, pvNumber: string): string {
  return keys.lookupHash(`${programmeId}|${pvNumber.replace(/\s+/g, '').toUpperCase()}`, 'referrals.pv');
}

export function phoneHash(keys: KeyRing, programmeId: string, e164: string): string {
  return keys.lookupHash(`${programmeId}|${e164}`, 'referrals.phone');
}

/** One person of one dossier: the PV number, the names and the birth date, folded. */
export function personHash(keys: KeyRing, programmeId: string, row: Pick<NormalisedRow, 'pv_number' | 'last_name' | 'first_name' | 'birth_date'>): string {
  const parts = [row.pv_number?.replace(/\s+/g, '').toUpperCase() ?? '', foldKey(row.last_name ?? ''), foldKey(row.first_name ?? ''), row.birth_date ?? ''];
  return keys.lookupHash(`${programmeId}|${parts.join('|')}`, 'referrals.person');
}

export function sealIdentity(keys: KeyRing, personHash: string, doc: IdentityDocument): string {
  return keys.seal(JSON.stringify(doc), identityContext(personHash));
}

/**
 * A contact's identifying data, for someone allowed to see it, with the audit event of the read
 * (who, which contact, for what purpose). Purged contacts have none: 410-like `identity_purged`.
 */
export async function readContactIdentity(
  db: Db,
  keys: KeyRing,
  audit: (e: AuditEvent) => Promise<void>,
  contactId: string,
  purpose: string,
): Promise<{ identity: IdentityDocument; pvNumber: string | null }> {
  const row = await db
    .selectFrom('contacts as c')
    .leftJoin('contact_identities as i', 'i.contact_id', 'c.id')
    .leftJoin('dossier_identities as di', 'di.dossier_id', 'c.dossier_id')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .select(['c.id', 'c.programme_id', 'c.purged_at', 'i.data', 'i.person_hash', 'di.pv_number', 'd.pv_hash'])
    .where('c.id', '=', contactId)
    .executeTakeFirst();
  if (!row) throw problems.notFound();
  if (!row.data || !row.person_hash) throw problems.conflict('identity_purged');
  const identity = JSON.parse(keys.open(row.data, identityContext(row.person_hash))) as IdentityDocument;
  const pvNumber = row.pv_number ? keys.open(row.pv_number, pvContext(row.pv_hash)) : null;
  await audit({ action: 'contact.identity_read', recordType: 'contact', recordId: contactId, programmeId: row.programme_id, purpose });
  return { identity, pvNumber };
}
