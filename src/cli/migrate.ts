import type { Config } from '../kernel/config.ts';
import { openRuntime } from '../server/runtime.ts';

export async function migrateCommand(config: Config): Promise<void> {
  const rt = await openRuntime(config);
  await rt.close();
  process.stdout.write(
    rt.migrated.length ? `Applied ${rt.migrated.length} migration(s):\n${rt.migrated.map((m) => `  ${m}`).join('\n')}\n` : 'The database is up to date.\n',
  );
}
