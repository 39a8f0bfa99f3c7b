/**
 * Who may work which contact, shared by every outreach route.
 *
 * A caller (outreach.work) works a contact of their programme while it is assigned to them or
 * while they hold its lease (a claim that has not expired). A coordinator (outreach.manage in the
 * programme) works any contact of it. Anything else is 404, as if the contact did not exist: the
 * route does not tell a caller which contacts other callers hold.
 */
import { sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { RequestContext, Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';

export interface WorkableContact {
  id: string;
  programme_id: string;
  dossier_id: string;
  person_hash: string;
  status: 'open' | 'closed';
  purged_at: Date | null;
}

/** True when the user manages the programme's outreach (sees and works every contact). */
export const managesOutreach = (ctx: RequestContext, programmeId: string) => ctx.allows('outreach.manage', programmeId);

/**
 * The contact, if the user may work it; else 404. Inside a transaction, pass `forUpdate` to lock
 * the contact row for the change that follows.
 */
export async function workableContact(
  ctx: RequestContext,
  db: Db | Tx,
  programmeId: string,
  contactId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<WorkableContact> {
  let q = db
    .selectFrom('contacts as c')
    .select(['c.id', 'c.programme_id', 'c.dossier_id', 'c.person_hash', 'c.status', 'c.purged_at'])
    .where('c.id', '=', contactId)
    .where('c.programme_id', '=', programmeId);
  if (!managesOutreach(ctx, programmeId)) {
    const me = ctx.user.userId;
    q = q.where((eb) => eb.or([eb('c.assigned_to', '=', me), eb.and([eb('c.lease_holder', '=', me), eb('c.lease_until', '>', sql<Date>`now()`)])]));
  }
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw problems.notFound();
  return row as WorkableContact;
}

/** For changes: the contact must still be open (409 contact_closed otherwise). */
export async function openWorkableContact(ctx: RequestContext, tx: Tx, programmeId: string, contactId: string): Promise<WorkableContact> {
  const c = await workableContact(ctx, tx, programmeId, contactId, { forUpdate: true });
  if (c.status === 'closed') throw problems.conflict('contact_closed');
  return c;
}
