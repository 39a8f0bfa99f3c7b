/** `haven audit verify [--json]`: checks the audit trail's hash chain; exits 1 and names the first broken row. */
import { verifyAudit } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { openRuntime } from '../server/runtime.ts';
import { t } from './lang.ts';

export async function auditVerifyCommand(config: Config, o: { json?: boolean }): Promise<void> {
  const rt = await openRuntime(config);
  try {
    const result = await verifyAudit(rt.database.db);
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) process.stdout.write(`${t('audit.intact', { count: result.checked, seq: result.lastSeq, hash: result.lastHash })}\n`);
    else {
      const broken = result.broken;
      const reason = broken ? t(`audit.reason.${broken.reason}`) : '';
      process.stdout.write(`${t('audit.broken', { count: result.checked, seq: broken?.seq, reason })}\n`);
    }
    if (!result.ok) process.exitCode = 1;
  } finally {
    await rt.close();
  }
}
