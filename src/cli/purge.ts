/**
 * `haven purge [--dry-run] [--json]`: the daily retention purge, now, by hand, with a summary for
 * the operator in the command's language (the dry run lists the contacts by id, never by name).
 */
import { type AuditActor, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { formatDate } from '../kernel/i18n/locales.ts';
import { type OutreachPurgeResult, purgeOutreachVault } from '../modules/outreach/retention.ts';
import { type PurgeResult, purgeIn, STAGED_IMPORT_DAYS } from '../modules/referrals/retention.ts';
import { openRuntime } from '../server/runtime.ts';
import { columns, t } from './lang.ts';

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'cli' };

function plain(r: PurgeResult & { outreach: OutreachPurgeResult }): string {
  const lines = [t(r.dryRun ? 'purge.wouldPurge' : 'purge.purged', { count: r.contacts, date: formatDate(r.now) })];
  if (r.due.length) {
    const headings = ['contactId', 'programme', 'closedAt', 'retentionUntil'].map((c) => t(`purge.columns.${c}`));
    const rows = r.due.map((c) => [c.contactId, c.programmeSlug, c.closedAt ? formatDate(c.closedAt) : '—', formatDate(c.retentionUntil)]);
    lines.push('', ...columns(headings, rows), '');
  }
  lines.push(t('purge.dossierIdentities', { count: r.dossierIdentities }));
  lines.push(t('purge.importRowValues', { count: r.importRowValues }));
  lines.push(
    t('purge.stagedImports', {
      count: r.stagedImports,
      days: t('count.days', { count: STAGED_IMPORT_DAYS }),
      rows: t('count.stagedRows', { count: r.stagedRows }),
    }),
  );
  const o = r.outreach;
  lines.push(
    t('purge.outreach', {
      conversations: t('count.conversationTexts', { count: o.conversations }),
      escalations: t('count.escalationNotes', { count: o.escalations }),
      attempts: t('count.attemptNotes', { count: o.attempts }),
      safety: t('count.safetyRecords', { count: o.safety }),
    }),
  );
  if (r.dryRun) lines.push('', t('purge.dryRun'));
  return `${lines.join('\n')}\n`;
}

/** `haven purge [--dry-run] [--json]`: what the daily job does, now, by hand. */
export async function purgeCommand(config: Config, o: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const rt = await openRuntime(config);
  try {
    const opts = { now: new Date(), dryRun: o.dryRun ?? false, actor: CLI_ACTOR };
    // Both daily purges, in one transaction: referrals' vault and what outreach sealed.
    const result = await rt.database.db.transaction().execute(async (tx) => ({
      ...(await purgeIn(tx, opts)),
      outreach: await purgeOutreachVault(tx, opts),
    }));
    process.stdout.write(o.json ? `${JSON.stringify(result)}\n` : plain(result));
  } finally {
    await rt.close();
  }
}
