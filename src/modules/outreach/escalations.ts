/**
 * Escalation (domain.md, pillar 1, step 7): signs of serious risk take a contact out of the green
 * flow at once, to the chain partner (Veilig Huis, the case consultation, the police).
 *
 * Raising is one transaction: the escalation (its note sealed), the contact's first `escalated_at`,
 * the dossier's colour raised (green → orange or red, orange → red, never lowered), the contact
 * closed as `escalated` if it is still open, and the audit event. The programme's coordinators are
 * told by e-mail after the commit when SMTP is configured: a notice without any personal data.
 */
import { sql } from 'kysely';
import type { Config } from '../../kernel/config.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import { DEFAULT_LOCALE, LOCALES, type Locale, translate } from '../../kernel/i18n/i18n.ts';
import { mailerFor } from '../../kernel/mail.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import type { ESCALATION_RECIPIENTS, ESCALATION_URGENCIES, EscalationReason } from './schema.ts';
import { outreachContext } from './sealed.ts';
import { closeOutreachContact } from './worklist.ts';

export type Recipient = (typeof ESCALATION_RECIPIENTS)[number];
export type Urgency = (typeof ESCALATION_URGENCIES)[number];
export type Colour = 'orange' | 'red';

/** Reasons that make a dossier red; any other makes it (at least) orange. */
export const RED_REASONS: readonly EscalationReason[] = ['strangulation', 'weapons', 'fear_for_life'];
/** What a marked answer raises unless the caller chooses otherwise. */
export const DEFAULT_RECIPIENT: Recipient = 'veilig_huis';
export const DEFAULT_URGENCY: Urgency = 'today';

/** The colour of an escalation: red for the reasons that say so, else orange; a caller may ask for red. */
export function colourOf(reasons: readonly EscalationReason[], requested?: Colour): Colour {
  return requested === 'red' || reasons.some((r) => RED_REASONS.includes(r)) ? 'red' : 'orange';
}

export interface RaiseInput {
  programmeId: string;
  contactId: string;
  conversationId: string | null;
  userId: string;
  recipient: Recipient;
  urgency: Urgency;
  reasons: EscalationReason[];
  note?: string | undefined;
  colour?: Colour | undefined;
  /** Raised by a marked answer (true) or by the caller's hand (false). */
  automatic: boolean;
}

export interface Raised {
  id: string;
  colour: Colour;
  dossierColour: 'orange' | 'red';
  contactClosed: boolean;
}

export async function raiseEscalation(tx: Tx, keys: KeyRing, audit: Audit, q: RaiseInput): Promise<Raised> {
  const contact = await tx
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .select(['c.id', 'c.person_hash', 'c.status', 'c.dossier_id', 'd.colour'])
    .where('c.id', '=', q.contactId)
    .where('c.programme_id', '=', q.programmeId)
    .forUpdate('c')
    .executeTakeFirstOrThrow();
  const reasons = [...new Set(q.reasons)];
  const colour = colourOf(reasons, q.colour);
  const note = q.note?.trim();
  const row = await tx
    .insertInto('escalations')
    .values({
      contact_id: q.contactId,
      programme_id: q.programmeId,
      conversation_id: q.conversationId,
      raised_by: q.userId,
      recipient: q.recipient,
      urgency: q.urgency,
      colour,
      reasons,
      note: note ? keys.seal(note, outreachContext('escalations.note', contact.person_hash)) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.updateTable('contacts').set({ escalated_at: sql`coalesce(escalated_at, now())` }).where('id', '=', q.contactId).execute();
  const before = contact.colour;
  // Raised, never lowered: green becomes the escalation's colour, orange only becomes red.
  const after: Colour = before === 'red' || colour === 'red' ? 'red' : 'orange';
  if (after !== before) {
    await tx.updateTable('dossiers').set({ colour: after }).where('id', '=', contact.dossier_id).execute();
  }
  const closing = contact.status === 'open';
  audit({
    action: 'escalation.raise',
    recordType: 'escalation',
    recordId: row.id,
    programmeId: q.programmeId,
    details: {
      contactId: q.contactId,
      conversationId: q.conversationId,
      recipient: q.recipient,
      urgency: q.urgency,
      reasons,
      colour,
      automatic: q.automatic,
      dossierColour: { from: before, to: after },
    },
  });
  if (closing) await closeOutreachContact(tx, audit, { programmeId: q.programmeId, contactId: q.contactId, outcome: 'escalated', userId: q.userId });
  return { id: row.id, colour, dossierColour: after, contactClosed: closing };
}

// ---- Telling the coordinators --------------------------------------------------------------

/** The notice of a new escalation, in one language: the programme's name, the urgency and a link. Nothing about the person. */
export function escalationNotice(locale: Locale, q: { programmeName: string; urgency: Urgency; link: string }): { subject: string; text: string } {
  const urgency = translate(locale, `mail:escalation.urgency.${q.urgency}`);
  return {
    subject: translate(locale, 'mail:escalation.subject', { urgency, programme: q.programmeName }),
    text: translate(locale, 'mail:escalation.text', { urgency, programme: q.programmeName, link: q.link }),
  };
}

/** Where a coordinator sees the programme's escalations in the web app. */
export const escalationsLink = (publicUrl: string, programmeId: string) => `${publicUrl}/escalations?programme=${programmeId}`;

/**
 * E-mails the programme's active coordinators about a new escalation, each in their language.
 * Does nothing without SMTP. Meant to run after the commit; a failure rejects, for the caller to log.
 */
export async function notifyCoordinators(db: Db, config: Config, q: { programmeId: string; urgency: Urgency }): Promise<number> {
  const mailer = mailerFor(config);
  if (!mailer) return 0;
  const [programme, coordinators] = await Promise.all([
    db.selectFrom('programmes').select('name').where('id', '=', q.programmeId).executeTakeFirstOrThrow(),
    db
      .selectFrom('users as u')
      .innerJoin('role_assignments as r', 'r.user_id', 'u.id')
      .select(['u.email', 'u.locale'])
      .distinct()
      .where('r.role', '=', 'coordinator')
      .where('r.programme_id', '=', q.programmeId)
      .where('u.active', '=', true)
      .where('u.deactivated_at', 'is', null)
      .execute(),
  ]);
  const link = escalationsLink(config.publicUrl, q.programmeId);
  const byLocale = new Map<Locale, string[]>();
  for (const c of coordinators) {
    const locale = c.locale && LOCALES.includes(c.locale) ? c.locale : DEFAULT_LOCALE;
    byLocale.set(locale, [...(byLocale.get(locale) ?? []), c.email]);
  }
  for (const [locale, to] of byLocale) {
    await mailer.send({ to, ...escalationNotice(locale, { programmeName: programme.name, urgency: q.urgency, link }) });
  }
  return coordinators.length;
}
