import { type AuditActor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { addKeyToFile, KeyError, type KeyRing, keyFilePath, keyRingFromFile, removeKeyFromFile } from '../kernel/vault/keyring.ts';
import { countSealedByKey, type ResealCounts, resealColumns, type SealedColumn } from '../kernel/vault/sealed-columns.ts';
import { loadModules } from '../server/modules.ts';
import { openRuntime, type Runtime } from '../server/runtime.ts';
import { CliError } from './user.ts';

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'cli' };

/** Every sealed column of every module: the list lives with the modules, not here. */
async function sealedColumns(): Promise<SealedColumn[]> {
  return (await loadModules()).flatMap((m) => m.sealedColumns ?? []);
}

async function withRuntime<T>(config: Config, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  let rt: Runtime;
  try {
    rt = await openRuntime(config);
  } catch (e) {
    if (e instanceof KeyError) throw new CliError(e.message);
    throw e;
  }
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
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError('--batch-size must be a positive whole number');
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
      onBatch: o.json ? undefined : (column, c) => process.stderr.write(`  ${column}: ${c.resealed} re-sealed\r`),
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
        previousKeyId ? `New active key ${report.activeKeyId} (was ${previousKeyId}); old keys stay in the key file.` : `Active key ${report.activeKeyId}.`,
        ...Object.entries(counts).map(
          ([name, c]) =>
            `  ${name.padEnd(32)} ${c.resealed} re-sealed${c.unreadable ? `, ${c.unreadable} UNREADABLE` : ''}${c.changed ? `, ${c.changed} changed meanwhile` : ''}`,
        ),
        remaining === 0
          ? 'Every sealed value is now under the active key.'
          : `${remaining} value(s) are not under the active key: see \`haven keys status\`; they did not open with their record's key and context.`,
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
      const lines = [`Mode: ${status.mode}. Active key: ${status.activeKeyId}. Keys: ${status.keyIds.join(', ')}.`];
      for (const [name, kids] of Object.entries(byKey)) {
        const parts = Object.entries(kids).map(([kid, n]) => `${kid}: ${n}${unknown.has(kid) ? ' (KEY MISSING)' : ''}`);
        lines.push(`  ${name.padEnd(32)} ${parts.length ? parts.join(', ') : 'no values'}`);
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
    if (keyId === rt.keys.activeKeyId) throw new CliError(`${keyId} is the active key: rotate first (haven keys rotate)`);
    if (!rt.keys.keyIds.includes(keyId)) throw new CliError(`No key ${keyId} in the key ring (keys: ${rt.keys.keyIds.join(', ')})`);
    const byKey = await countSealedByKey(rt.database.db, columns);
    const inUse = Object.fromEntries(
      Object.entries(byKey)
        .map(([name, kids]) => [name, kids[keyId] ?? 0] as const)
        .filter(([, n]) => n > 0),
    );
    const total = Object.values(inUse).reduce((a, b) => a + b, 0);
    if (total > 0) {
      throw new CliError(
        `${total} value(s) are still sealed under ${keyId} (${Object.entries(inUse)
          .map(([name, n]) => `${name}: ${n}`)
          .join(', ')}): run haven keys rotate --resume first`,
      );
    }
    if (config.masterKey) {
      const message =
        keyId === 'm1'
          ? 'No value is sealed under m1, but it is the original master key: keep it first in HAVEN_PREVIOUS_MASTER_KEYS, look-up hashes come from it.'
          : `No value is sealed under ${keyId}: remove its master key from HAVEN_PREVIOUS_MASTER_KEYS (keep the first entry, the original).`;
      process.stdout.write(o.json ? `${JSON.stringify({ keyId, inUse: 0, removed: false, message })}\n` : `${message}\n`);
      return;
    }
    try {
      removeKeyFromFile(keyFilePath(config.dataDir), keyId);
    } catch (e) {
      if (e instanceof KeyError) throw new CliError(e.message);
      throw e;
    }
    await recordAudit(rt.database.db, CLI_ACTOR, [{ action: 'keys.retired', details: { keyId } }]);
    process.stdout.write(o.json ? `${JSON.stringify({ keyId, inUse: 0, removed: true })}\n` : `Key ${keyId} removed from the key file.\n`);
  });
}
