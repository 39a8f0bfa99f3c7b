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

export async function purgeOutreachVault(tx: JobTx, opts: { now: Date; actor: AuditActor; dryRun?: boolean }): Promise<OutreachPurgeResult> {
  const past = pastRetention(opts.now);
  // Each sealed column: the table, its alias, and the column destroyed.
  const targets = [
    ['conversations', 'conversations', 'free_text'],
    ['escalations', 'escalations', 'note'],
    ['attempts', 'attempts', 'note'],
    ['safety', 'contact_safety', 'sealed'],
  ] as const;
  const result: OutreachPurgeResult = { conversations: 0, escalations: 0, attempts: 0, safety: 0 };
  for (const [key, table, column] of targets) {
    const t = sql.table(table);
    const col = sql.ref(`v.${column}`);
    const q = opts.dryRun
      ? sql<{ n: number }>`SELECT count(*)::int AS n FROM ${t} v JOIN contacts c ON c.id = v.contact_id WHERE ${col} IS NOT NULL AND ${past}`
      : sql<{ n: number }>`
          WITH done AS (UPDATE ${t} v SET ${sql.ref(column)} = NULL FROM contacts c WHERE c.id = v.contact_id AND ${col} IS NOT NULL AND ${past} RETURNING 1)
          SELECT count(*)::int AS n FROM done`;
    result[key] = (await q.execute(tx)).rows[0]?.n ?? 0;
  }
  if (!opts.dryRun && Object.values(result).some((n) => n > 0)) {
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
