import { verifyAudit } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { openRuntime } from '../server/runtime.ts';

export async function auditVerifyCommand(config: Config, o: { json?: boolean }): Promise<void> {
  const rt = await openRuntime(config);
  try {
    const result = await verifyAudit(rt.database.db);
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) process.stdout.write(`Audit trail intact: ${result.checked} rows, head ${result.lastSeq} ${result.lastHash}\n`);
    else process.stdout.write(`Audit trail BROKEN at row ${result.broken?.seq} (${result.broken?.reason}); ${result.checked} rows before it hold.\n`);
    if (!result.ok) process.exitCode = 1;
  } finally {
    await rt.close();
  }
}
