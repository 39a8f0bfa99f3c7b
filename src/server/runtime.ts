import type { Config } from '../kernel/config.ts';
import { type HavenDatabase, openEmbedded, openPostgres } from '../kernel/db/database.ts';
import { type DataDirLock, lockDataDir } from '../kernel/db/lock.ts';
import { migrate } from '../kernel/db/migrate.ts';
import { type KeyRing, loadKeyRing } from '../kernel/vault/keyring.ts';

export interface Runtime {
  config: Config;
  database: HavenDatabase;
  keys: KeyRing;
  migrated: string[];
  close(): Promise<void>;
}

/**
 * What every command needs: the key ring, the database (embedded under an exclusive lock on its
 * folder, or PostgreSQL), migrated to this version. The system entry point to the raw database:
 * request handlers reach data only through their RequestContext.
 */
export async function openRuntime(config: Config, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const keys = loadKeyRing({ masterKey: config.masterKey, dataDir: config.dataDir, previousMasterKeys: config.previousMasterKeys });
  let lock: DataDirLock | undefined;
  let database: HavenDatabase;
  if (config.databaseUrl) {
    database = openPostgres(config.databaseUrl, config.dbPoolSize);
  } else {
    lock = lockDataDir(config.dataDir);
    try {
      database = await openEmbedded(config.dataDir);
    } catch (e) {
      lock.release();
      throw e;
    }
  }
  let migrated: string[] = [];
  try {
    if (opts.migrate !== false) migrated = await migrate(database);
  } catch (e) {
    await database.close();
    lock?.release();
    throw e;
  }
  return {
    config,
    database,
    keys,
    migrated,
    async close() {
      await database.close();
      lock?.release();
    },
  };
}
