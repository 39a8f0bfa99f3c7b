/**
 * The columns that hold sealed values, as modules declare them (`HavenModule.sealedColumns`), and
 * re-sealing them under the active key (`haven keys rotate`). Each value is opened with its own
 * record's context and sealed again with the same context: a value copied onto another record
 * does not open there, so rotation reports it instead of making it valid.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { KeyRing } from './keyring.ts';

/** One sealed value with the key of its row and the AEAD context it was sealed with. */
export interface SealedRow {
  key: readonly unknown[];
  sealed: string;
  context: string;
}

export interface SealedColumn {
  /** `table.column`, as reports name it. */
  name: string;
  /** Up to `limit` rows whose value is not sealed under `notKeyId`, in key order, after the row key `after`. */
  list(db: Db, opts: { notKeyId: string; after: readonly unknown[] | null; limit: number }): Promise<SealedRow[]>;
  /** Replaces the row's value with `resealed` if it still holds `row.sealed`; false when it changed meanwhile. */
  write(db: Db, row: SealedRow, resealed: string): Promise<boolean>;
  /** How many values each key id seals. */
  countByKey(db: Db): Promise<Record<string, number>>;
}

/**
 * A sealed column described by its table, primary key and how its context is made: the context
 * function gets the row's `extra` values (SQL expressions over the row, aliased `t`).
 */
export function sealedColumn(spec: {
  table: string;
  column: string;
  key: readonly string[];
  extra?: Record<string, RawBuilder<unknown>>;
  context: (extra: Record<string, unknown>) => string;
}): SealedColumn {
  const table = sql.table(spec.table);
  const col = sql.ref(`t.${spec.column}`);
  const keyRefs = spec.key.map((k) => sql.ref(`t.${k}`));
  const keyTuple = sql`(${sql.join(keyRefs)})`;
  const extras = Object.entries(spec.extra ?? {});
  return {
    name: `${spec.table}.${spec.column}`,
    async list(db, opts) {
      const select = [
        ...keyRefs.map((ref, i) => sql`${ref} AS ${sql.id(`key${i}`)}`),
        sql`${col} AS sealed`,
        ...extras.map(([name, expr]) => sql`${expr} AS ${sql.id(`x_${name}`)}`),
      ];
      const after = opts.after ? sql`AND ${keyTuple} > (${sql.join(opts.after.map((v) => sql`${v}`))})` : sql``;
      const rows = await sql<Record<string, unknown>>`
        SELECT ${sql.join(select)} FROM ${table} t
        WHERE ${col} IS NOT NULL AND NOT starts_with(${col}, ${`v1.${opts.notKeyId}.`}) ${after}
        ORDER BY ${sql.join(keyRefs)}
        LIMIT ${opts.limit}`.execute(db);
      return rows.rows.map((r) => ({
        key: spec.key.map((_, i) => r[`key${i}`]),
        sealed: r.sealed as string,
        context: spec.context(Object.fromEntries(extras.map(([name]) => [name, r[`x_${name}`]]))),
      }));
    },
    async write(db, row, resealed) {
      const where = spec.key.map((k, i) => sql`${sql.ref(k)} = ${row.key[i]}`);
      const r = await sql`
        UPDATE ${table} SET ${sql.ref(spec.column)} = ${resealed}
        WHERE ${sql.join(where, sql` AND `)} AND ${sql.ref(spec.column)} = ${row.sealed}`.execute(db);
      return Number(r.numAffectedRows ?? 0) > 0;
    },
    async countByKey(db) {
      const rows = await sql<{ kid: string; n: number }>`
        SELECT split_part(${col}, '.', 2) AS kid, count(*)::int AS n FROM ${table} t WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY 1`.execute(db);
      return Object.fromEntries(rows.rows.map((r) => [r.kid, r.n]));
    },
  };
}

export interface ResealCounts {
  /** Values opened and sealed again under the active key. */
  resealed: number;
  /** Values that did not open with their record's context (unknown key, altered, or moved): left as they are. */
  unreadable: number;
  /** Values changed by someone else between reading and writing: left to them (a later run re-seals what needs it). */
  changed: number;
}

/**
 * Re-seals every value of the columns that is not under the active key, in batches of
 * `batchSize`, each batch one transaction. Resumable: what is already under the active key is
 * not read again, so a second run finishes what an interrupted one left. `maxBatches` stops
 * early (tests simulate an interruption with it).
 */
export async function resealColumns(
  db: Db,
  keys: KeyRing,
  columns: readonly SealedColumn[],
  opts: { batchSize?: number; maxBatches?: number; onBatch?: (column: string, counts: ResealCounts) => void } = {},
): Promise<Record<string, ResealCounts>> {
  const limit = opts.batchSize ?? 500;
  const result: Record<string, ResealCounts> = {};
  let batches = 0;
  for (const column of columns) {
    const counts: ResealCounts = { resealed: 0, unreadable: 0, changed: 0 };
    result[column.name] = counts;
    let after: readonly unknown[] | null = null;
    for (;;) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) return result;
      const rows = await column.list(db, { notKeyId: keys.activeKeyId, after, limit });
      if (rows.length === 0) break;
      const batch: ResealCounts = { resealed: 0, unreadable: 0, changed: 0 };
      await db.transaction().execute(async (tx) => {
        for (const row of rows) {
          let plaintext: string;
          try {
            plaintext = keys.open(row.sealed, row.context);
          } catch {
            batch.unreadable += 1;
            continue;
          }
          if (await column.write(tx, row, keys.seal(plaintext, row.context))) batch.resealed += 1;
          else batch.changed += 1;
        }
      });
      counts.resealed += batch.resealed;
      counts.unreadable += batch.unreadable;
      counts.changed += batch.changed;
      batches += 1;
      opts.onBatch?.(column.name, { ...counts });
      after = rows[rows.length - 1]?.key ?? null;
    }
  }
  return result;
}

/** For each column, how many values each key id seals. */
export async function countSealedByKey(db: Db, columns: readonly SealedColumn[]): Promise<Record<string, Record<string, number>>> {
  const result: Record<string, Record<string, number>> = {};
  for (const column of columns) result[column.name] = await column.countByKey(db);
  return result;
}
