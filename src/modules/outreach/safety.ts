/**
 * Safe contact: what keeps a person safe when a caller phones them (domain.md, pillar 1, step 5).
 * The voicemail rule (the contact's own, else the programme's default), the parts of the day that
 * are safe, whether someone else answered before (then the caller ends the call without saying
 * why), and in words, sealed: whom to ask for, safe hours, notes.
 *
 * Whether another person of the dossier lives at the same address is worked out on the server by
 * comparing the sealed addresses of the dossier's contacts (each read audited); only
 * true / false / unknown ever leaves it, never the other person's data.
 */
import type { AuditEvent } from '../../kernel/audit/audit.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { foldKey, type IdentityDocument, readContactIdentity } from '../referrals/vault.ts';
import type { PartOfDay, VoicemailRule } from './schema.ts';
import { outreachContext } from './sealed.ts';

/** The sealed part of contact_safety. */
export interface SafetyText {
  askFor?: string;
  safeHours?: string;
  notes?: string;
}

export interface SafetyView {
  voicemail: VoicemailRule;
  /** whether the rule is the contact's own or the programme's default */
  voicemailSource: 'contact' | 'programme';
  otherPartySameAddress: boolean | null;
  safeParts: PartOfDay[];
  someoneElseAnswered: boolean;
  /** What the card tells the caller before anything else. */
  instruction: 'end_call_without_reason' | null;
  askFor: string | null;
  safeHours: string | null;
  notes: string | null;
  updatedAt: string | null;
}

/** What a caller records; a field left out stays as it is, null clears it. */
export interface SafetyPatch {
  voicemail?: VoicemailRule | null | undefined;
  safeParts?: PartOfDay[] | undefined;
  askFor?: string | null | undefined;
  safeHours?: string | null | undefined;
  notes?: string | null | undefined;
  otherPartySameAddress?: boolean | null | undefined;
}

const context = (personHash: string) => outreachContext('contact_safety.sealed', personHash);

function openText(keys: KeyRing, sealed: string | null, personHash: string): SafetyText {
  return sealed ? (JSON.parse(keys.open(sealed, context(personHash))) as SafetyText) : {};
}

export async function readSafety(
  db: Db | Tx,
  keys: KeyRing,
  contact: { id: string; person_hash: string },
  programmeVoicemail: VoicemailRule,
): Promise<SafetyView> {
  const row = await db.selectFrom('contact_safety').selectAll().where('contact_id', '=', contact.id).executeTakeFirst();
  const text = openText(keys, row?.sealed ?? null, contact.person_hash);
  const someoneElse = row?.someone_else_answered ?? false;
  return {
    voicemail: row?.voicemail ?? programmeVoicemail,
    voicemailSource: row?.voicemail ? 'contact' : 'programme',
    otherPartySameAddress: row?.other_party_same_address ?? null,
    safeParts: row?.safe_parts ?? [],
    someoneElseAnswered: someoneElse,
    instruction: someoneElse ? 'end_call_without_reason' : null,
    askFor: text.askFor ?? null,
    safeHours: text.safeHours ?? null,
    notes: text.notes ?? null,
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
  };
}

/** Records safety information; the audit event names the fields changed, never their content. */
export async function recordSafety(
  tx: Tx,
  keys: KeyRing,
  audit: Audit,
  q: { programmeId: string; contact: { id: string; person_hash: string }; userId: string; patch: SafetyPatch },
): Promise<void> {
  const row = await tx.selectFrom('contact_safety').selectAll().where('contact_id', '=', q.contact.id).forUpdate().executeTakeFirst();
  const p = q.patch;
  const text = openText(keys, row?.sealed ?? null, q.contact.person_hash);
  for (const key of ['askFor', 'safeHours', 'notes'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (v === null || v === '') delete text[key];
    else text[key] = v;
  }
  const sealed = Object.keys(text).length ? keys.seal(JSON.stringify(text), context(q.contact.person_hash)) : null;
  const values = {
    voicemail: p.voicemail === undefined ? (row?.voicemail ?? null) : p.voicemail,
    safe_parts: p.safeParts === undefined ? (row?.safe_parts ?? []) : [...new Set(p.safeParts)],
    other_party_same_address: p.otherPartySameAddress === undefined ? (row?.other_party_same_address ?? null) : p.otherPartySameAddress,
    sealed,
    updated_by: q.userId,
  };
  if (row) {
    await tx
      .updateTable('contact_safety')
      .set({ ...values, updated_at: new Date() })
      .where('contact_id', '=', q.contact.id)
      .execute();
  } else {
    await tx
      .insertInto('contact_safety')
      .values({ contact_id: q.contact.id, ...values })
      .execute();
  }
  audit({
    action: 'contact.safety_update',
    recordType: 'contact',
    recordId: q.contact.id,
    programmeId: q.programmeId,
    details: { fields: Object.keys(p).filter((k) => p[k as keyof SafetyPatch] !== undefined) },
  });
}

/** Someone else answered the phone: from now on the card tells the caller to end the call without saying why. */
export async function markSomeoneElseAnswered(tx: Tx, q: { contactId: string; userId: string }): Promise<void> {
  await tx
    .insertInto('contact_safety')
    .values({ contact_id: q.contactId, someone_else_answered: true, updated_by: q.userId })
    .onConflict((oc) => oc.column('contact_id').doUpdateSet({ someone_else_answered: true, updated_by: q.userId, updated_at: new Date() }))
    .execute();
}

/** Keeps a computed same-address answer, unless a caller recorded one meanwhile. */
export async function storeSameAddress(db: Db, q: { contactId: string; value: boolean }): Promise<void> {
  await db
    .insertInto('contact_safety')
    .values({ contact_id: q.contactId, other_party_same_address: q.value })
    .onConflict((oc) => oc.column('contact_id').doUpdateSet({ other_party_same_address: q.value }).where('contact_safety.other_party_same_address', 'is', null))
    .execute();
}

interface Address {
  street: string;
  number: string;
  box: string;
}

function addressOf(doc: IdentityDocument): Address | null {
  if (!doc.street) return null;
  return { street: foldKey(doc.street), number: foldKey(doc.houseNumber ?? ''), box: foldKey(doc.box ?? '') };
}

/** Same building and door: street and number equal, and the boxes too when both have one. */
function sameAddress(a: Address, b: Address): boolean {
  return a.street === b.street && a.number === b.number && (!a.box || !b.box || a.box === b.box);
}

/**
 * Whether another person of the dossier lives at the contact's address: true when one does, false
 * when every other person's address is known and differs, null when it cannot be told (no address,
 * or the dossier names nobody else). Each other
 * person's identity is opened through the vault (one audit event each, purpose
 * `outreach_same_address_check`) and nothing of it is returned.
 */
export async function compareAddresses(
  db: Db,
  keys: KeyRing,
  audit: (e: AuditEvent) => Promise<void>,
  q: { contactId: string; dossierId: string; own: IdentityDocument },
): Promise<boolean | null> {
  const own = addressOf(q.own);
  if (!own) return null;
  const others = await db
    .selectFrom('contacts as c')
    .innerJoin('contact_identities as i', 'i.contact_id', 'c.id')
    .select('c.id')
    .where('c.dossier_id', '=', q.dossierId)
    .where('c.id', '!=', q.contactId)
    .where('c.purged_at', 'is', null)
    .orderBy('c.id')
    .execute();
  const total = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('dossier_id', '=', q.dossierId)
    .where('id', '!=', q.contactId)
    .executeTakeFirstOrThrow();
  // A dossier of one person: the other party is not known to the programme, nor where they live.
  if (Number(total.n) === 0) return null;
  let unknown = Number(total.n) - others.length;
  for (const o of others) {
    const { identity } = await readContactIdentity(db, keys, audit, o.id, 'outreach_same_address_check');
    const theirs = addressOf(identity);
    if (!theirs) unknown++;
    else if (sameAddress(own, theirs)) return true;
  }
  return unknown ? null : false;
}
