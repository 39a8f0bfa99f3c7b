/**
 * The end of retention for what outreach sealed about a person: the free-text answers of
 * conversations, escalation notes, attempt notes and the safe-contact information. When a
 * contact's retention has ended (it is purged, or closed with `retention_until` passed: the same
 * rule as referrals' purge, so the order of the two daily jobs does not matter), these values are
 * destroyed. What reports count stays: the conversations with their structured answers, the
 * escalations with their reasons and colours, the attempts with their outcomes. One transaction,
 * one audit event with counts only.
 */
import { sql } from 'kysely';
import { type AuditActor, appendAudit } from '../../kernel/audit/audit.ts';
import type { DailyJob, JobTx } from '../../kernel/jobs.ts';

/** A contact `c` whose identifying data has gone, or goes now. */
const pastRetention = (now: Date) =>
  sql<boolean>`(c.purged_at IS NOT NULL OR (c.status = 'closed' AND c.retention_until IS NOT NULL AND c.retention_until <= ${now}::timestamptz))`;

export interface OutreachPurgeResult {
  conversations: number;
  escalations: number;
  attempts: number;
  safety: number;
}

export async function purgeOutreachVault(tx: JobTx, opts: { now: Date; actor: AuditActor }): Promise<OutreachPurgeResult> {
  const past = pastRetention(opts.now);
  const run = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(tx)).rows.length;
  const result = {
    conversations: await run(
      sql`UPDATE conversations v SET free_text = NULL FROM contacts c WHERE c.id = v.contact_id AND v.free_text IS NOT NULL AND ${past} RETURNING 1 AS n`,
    ),
    escalations: await run(
      sql`UPDATE escalations e SET note = NULL FROM contacts c WHERE c.id = e.contact_id AND e.note IS NOT NULL AND ${past} RETURNING 1 AS n`,
    ),
    attempts: await run(sql`UPDATE attempts a SET note = NULL FROM contacts c WHERE c.id = a.contact_id AND a.note IS NOT NULL AND ${past} RETURNING 1 AS n`),
    safety: await run(
      sql`UPDATE contact_safety s SET sealed = NULL FROM contacts c WHERE c.id = s.contact_id AND s.sealed IS NOT NULL AND ${past} RETURNING 1 AS n`,
    ),
  };
  if (Object.values(result).some((n) => n > 0)) {
    await appendAudit(tx, opts.actor, [{ action: 'retention.outreach_purge', recordType: 'programme', details: { ...result } }]);
  }
  return result;
}

/** The daily job: `haven serve` runs it once a day, beside referrals' purge. */
export const outreachPurgeJob: DailyJob = {
  name: 'outreach.vault-purge',
  async run(tx, deps) {
    return { ...(await purgeOutreachVault(tx, { now: deps.now, actor: deps.actor })) };
  },
};
