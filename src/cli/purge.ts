import { type AuditActor, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { formatDate } from '../kernel/i18n/locales.ts';
import { type OutreachPurgeResult, purgeOutreachVault } from '../modules/outreach/retention.ts';
import { type PurgeResult, purgeIn } from '../modules/referrals/retention.ts';
import { openRuntime } from '../server/runtime.ts';

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'cli' };

function plain(r: PurgeResult & { outreach: OutreachPurgeResult }): string {
  const verb = r.dryRun ? 'Would purge' : 'Purged';
  const lines = [`${verb} the identifying data of ${r.contacts} contact(s) whose retention ended by ${formatDate(r.now)}.`];
  if (r.due.length) {
    lines.push('', 'contact id                            programme            closed at   retention until');
    for (const c of r.due) {
      lines.push(`${c.contactId}  ${c.programmeSlug.padEnd(20)} ${c.closedAt ? formatDate(c.closedAt) : '—'.padEnd(10)}  ${formatDate(c.retentionUntil)}`);
    }
    lines.push('');
  }
  lines.push(`PV numbers of dossiers whose contacts are all purged: ${r.dossierIdentities}`);
  lines.push(`Sealed values on rows of committed imports past retention: ${r.importRowValues}`);
  lines.push(`Imports never committed, left over 7 days: ${r.stagedImports} (${r.stagedRows} staged rows)`);
  const o = r.outreach;
  lines.push(
    `Outreach notes and answers in words: ${o.conversations} conversation(s), ${o.escalations} escalation note(s), ${o.attempts} attempt note(s), ${o.safety} safe-contact record(s)`,
  );
  if (r.dryRun) lines.push('', 'Dry run: nothing was changed.');
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
