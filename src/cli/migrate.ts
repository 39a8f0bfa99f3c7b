/** `haven migrate`: applies the pending database migrations and says which. */
import type { Config } from '../kernel/config.ts';
import { openRuntime } from '../server/runtime.ts';
import { t } from './lang.ts';

export async function migrateCommand(config: Config): Promise<void> {
  const rt = await openRuntime(config);
  await rt.close();
  process.stdout.write(
    rt.migrated.length
      ? `${t('migrate.applied', { count: rt.migrated.length })}\n${rt.migrated.map((m) => `  ${m}`).join('\n')}\n`
      : `${t('migrate.upToDate')}\n`,
  );
}
