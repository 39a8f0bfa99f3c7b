/**
 * Outreach's sealed values: what a caller writes in words about a person. Each is bound to the
 * contact's person hash and to its column (a note copied onto another contact or column does not
 * open). Declared for key rotation (`haven keys rotate`).
 */
import { sql } from 'kysely';
import { type SealedColumn, sealedColumn } from '../../kernel/vault/sealed-columns.ts';

export type OutreachSealed = 'contact_safety.sealed' | 'attempts.note' | 'conversations.free_text' | 'escalations.note';

/** The AEAD context of an outreach sealed value of the contact with this person hash. */
export const outreachContext = (column: OutreachSealed, personHash: string) => `${column}:${personHash}`;

const personHashOf = sql`(SELECT c.person_hash FROM contacts c WHERE c.id = t.contact_id)`;

export const outreachSealedColumns: SealedColumn[] = (
  [
    ['contact_safety', 'sealed', ['contact_id']],
    ['attempts', 'note', ['id']],
    ['conversations', 'free_text', ['id']],
    ['escalations', 'note', ['id']],
  ] as const
).map(([table, column, key]) =>
  sealedColumn({
    table,
    column,
    key,
    extra: { person_hash: personHashOf },
    context: (r) => outreachContext(`${table}.${column}` as OutreachSealed, r.person_hash as string),
  }),
);
