/** `haven keys rotate | status | retire`: the key ring that seals identifying data, by hand. */
import { type AuditActor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { addKeyToFile, type KeyRing, keyFilePath, keyRingFromFile, removeKeyFromFile } from '../kernel/vault/keyring.ts';
import { countSealedByKey, type ResealCounts, resealColumns, type SealedColumn } from '../kernel/vault/sealed-columns.ts';
import { loadModules } from '../server/modules.ts';
import { openRuntime, type Runtime } from '../server/runtime.ts';
import { CliError, t } from './lang.ts';

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'cli' };

/** Every sealed column of every module: the list lives with the modules, not here. */
async function sealedColumns(): Promise<SealedColumn[]> {
  return (await loadModules()).flatMap((m) => m.sealedColumns ?? []);
}

async function withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  // A key ring that does not open (KeyError) is said as it is found: src/cli/main.ts prints it.
  const rt = await openRuntime(config);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const mode = (config: Config) => (config.masterKey ? 'master-key' : 'key-file');

export interface RotateReport {
  mode: 'master-key' | 'key-file';
  previousKeyId: string | null;
  activeKeyId: string;
  columns: Record<string, ResealCounts>;
  /** After the run: values per key id, per column. */
  byKey: Record<string, Record<string, number>>;
  /** Values still not under the active key (unreadable ones). */
  remaining: number;
}

/**
 * `haven keys rotate`: with a key file, adds a key and makes it active (unless --resume), then
 * re-seals every sealed value that is not under the active key, batch by batch. With
 * HAVEN_MASTER_KEY, the new master key is already active (the old one in
 * HAVEN_PREVIOUS_MASTER_KEYS): only the re-sealing runs.
 */
export async function keysRotateCommand(config: Config, o: { resume?: boolean; batchSize?: string; json?: boolean }): Promise<void> {
  const batchSize = o.batchSize ? Number(o.batchSize) : 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError('batchSize');
  const columns = await sealedColumns();
  await withRuntime(config, async (rt) => {
    let keys: KeyRing = rt.keys;
    let previousKeyId: string | null = null;
    if (!config.masterKey && !o.resume) {
      // The runtime is open: the embedded database's lock says no Haven is running on this folder.
      const file = keyFilePath(config.dataDir);
      previousKeyId = addKeyToFile(file).previous;
      keys = keyRingFromFile(file);
    }
    const counts = await resealColumns(rt.database.db, keys, columns, {
      batchSize,
      onBatch: o.json ? undefined : (column, c) => process.stderr.write(`  ${column}: ${t('count.resealed', { count: c.resealed })}\r`),
    });
    const byKey = await countSealedByKey(rt.database.db, columns);
    const remaining = Object.values(byKey).reduce(
      (sum, kids) => sum + Object.entries(kids).reduce((s, [kid, n]) => (kid === keys.activeKeyId ? s : s + n), 0),
      0,
    );
    const report: RotateReport = { mode: mode(config), previousKeyId, activeKeyId: keys.activeKeyId, columns: counts, byKey, remaining };
    await recordAudit(rt.database.db, CLI_ACTOR, [
      {
        action: 'keys.rotated',
        outcome: remaining === 0 ? 'success' : 'failure',
        details: { mode: report.mode, previousKeyId, activeKeyId: report.activeKeyId, columns: counts, remaining },
      },
    ]);
    if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const lines = [
        previousKeyId ? t('keys.newActive', { keyId: report.activeKeyId, previous: previousKeyId }) : t('keys.active', { keyId: report.activeKeyId }),
        ...Object.entries(counts).map(([name, c]) => {
          const parts = [t('count.resealed', { count: c.resealed })];
          if (c.unreadable) parts.push(t('count.unreadable', { count: c.unreadable }));
          if (c.changed) parts.push(t('count.changed', { count: c.changed }));
          return `  ${name.padEnd(32)} ${parts.join(', ')}`;
        }),
        remaining === 0 ? t('keys.allUnderActive') : t('keys.remaining', { count: remaining }),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (remaining > 0) process.exitCode = 1;
  });
}

/** `haven keys status`: the active key, the keys in the ring, and how many values each key seals, per column. */
export async function keysStatusCommand(config: Config, o: { json?: boolean }): Promise<void> {
  const columns = await sealedColumns();
  await withRuntime(config, async (rt) => {
    const byKey = await countSealedByKey(rt.database.db, columns);
    const status = { mode: mode(config), activeKeyId: rt.keys.activeKeyId, keyIds: rt.keys.keyIds, byKey };
    const unknown = new Set(
      Object.values(byKey)
        .flatMap((kids) => Object.keys(kids))
        .filter((kid) => !rt.keys.keyIds.includes(kid)),
    );
    if (o.json) process.stdout.write(`${JSON.stringify({ ...status, unknownKeyIds: [...unknown] })}\n`);
    else {
      const lines = [t('keys.status', { mode: t(`keys.mode.${status.mode}`), keyId: status.activeKeyId, keys: status.keyIds.join(', ') })];
      for (const [name, kids] of Object.entries(byKey)) {
        const parts = Object.entries(kids).map(([kid, n]) => t(unknown.has(kid) ? 'keys.perKeyMissing' : 'keys.perKey', { keyId: kid, count: n }));
        lines.push(`  ${name.padEnd(32)} ${parts.length ? parts.join(', ') : t('keys.noValues')}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (unknown.size > 0) process.exitCode = 1;
  });
}

/** `haven keys retire <kid>`: removes a key from the key file, refused while any value still uses it. */
export async function keysRetireCommand(config: Config, keyId: string, o: { json?: boolean }): Promise<void> {
  const columns = await sealedColumns();
  await withRuntime(config, async (rt) => {
    if (keyId === rt.keys.activeKeyId) throw new CliError('activeKey', { keyId });
    if (!rt.keys.keyIds.includes(keyId)) throw new CliError('noSuchKey', { keyId, keys: rt.keys.keyIds.join(', ') });
    const byKey = await countSealedByKey(rt.database.db, columns);
    const inUse = Object.fromEntries(
      Object.entries(byKey)
        .map(([name, kids]) => [name, kids[keyId] ?? 0] as const)
        .filter(([, n]) => n > 0),
    );
    const total = Object.values(inUse).reduce((a, b) => a + b, 0);
    if (total > 0) {
      const columns = Object.entries(inUse)
        .map(([name, n]) => t('keys.perKey', { keyId: name, count: n }))
        .join(', ');
      throw new CliError('stillSealed', { count: total, keyId, columns });
    }
    if (config.masterKey) {
      const key = keyId === 'm1' ? 'keys.retireOriginal' : 'keys.retireMaster';
      // --json keeps its English message: it is read by scripts, not translated.
      process.stdout.write(o.json ? `${JSON.stringify({ keyId, inUse: 0, removed: false, message: t(key, { keyId }, 'en') })}\n` : `${t(key, { keyId })}\n`);
      return;
    }
    removeKeyFromFile(keyFilePath(config.dataDir), keyId);
    await recordAudit(rt.database.db, CLI_ACTOR, [{ action: 'keys.retired', details: { keyId } }]);
    process.stdout.write(o.json ? `${JSON.stringify({ keyId, inUse: 0, removed: true })}\n` : `${t('keys.retired', { keyId })}\n`);
  });
}
