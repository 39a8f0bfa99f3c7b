/** `haven import FILE --programme SLUG …`: a police export imported from a script (JSON out, problems on stderr). */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type AuditActor, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Config } from '../kernel/config.ts';
import { Problem } from '../kernel/http/problem.ts';
import { commitImport, discardImport, inspectFile, noActiveProtocol, stageFile, startImport } from '../modules/referrals/imports.ts';
import { brusselsToday } from '../modules/referrals/protocols.ts';
import { problemBody } from '../server/errors.ts';
import { openRuntime } from '../server/runtime.ts';
import { CliError, cliLocale } from './lang.ts';

export interface ImportOptions {
  programme: string;
  sender?: string;
  mapping?: string;
  saveMapping?: string;
  commit?: boolean;
  lang?: string;
}

const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'cli' };

/**
 * `haven import FILE --programme SLUG [--sender NAME] [--mapping NAME] [--commit]`: the same
 * path as the web app's import, for a scripted drop. Prints the preview (and, with --commit, the
 * result) as JSON on stdout. A refusal (no active protocol, unreadable file, a mapping without a
 * required column) prints the problem as JSON on stderr and exits 1. Without --commit the staged
 * rows are discarded after the preview: nothing is imported.
 */
export async function importCommand(config: Config, file: string, o: ImportOptions): Promise<void> {
  // --lang (checked before the command runs, src/cli/main.ts) is the language of the problems too.
  const locale = cliLocale();
  const size = await stat(file).catch(() => null);
  if (!size?.isFile()) throw new CliError('noFile', { file });
  const rt = await openRuntime(config);
  const db = rt.database.db;
  const deps = { db, keys: rt.keys, actor: CLI_ACTOR };
  try {
    const programme = await db.selectFrom('programmes').select(['id', 'slug']).where('slug', '=', o.programme).executeTakeFirst();
    if (!programme) throw new CliError('noProgramme', { slug: o.programme });
    const senderId = await resolveSender(db, programme.id, o.sender);
    const fileName = path.basename(file);
    let columns: Record<string, string> | undefined;
    if (!o.mapping) {
      const inspection = await inspectFile(db, createReadStream(file), { fileName, senderOrganisationId: senderId });
      columns = inspection.suggested as Record<string, string>;
    }
    const started = await startImport(deps, {
      programmeId: programme.id,
      senderOrganisationId: senderId,
      fileName,
      columns,
      mappingName: o.mapping,
      saveMappingAs: o.saveMapping,
      uploadedBy: null,
    });
    const counts = await stageFile(deps, started.importId, createReadStream(file), { fileSize: () => size.size });
    const preview = {
      importId: started.importId,
      protocolId: started.protocol.id,
      columns: started.columns,
      droppedFields: started.droppedFields,
      preview: counts,
    };
    if (!o.commit) {
      await discardImport(deps, started.importId);
      process.stdout.write(`${JSON.stringify({ ...preview, committed: false }, null, 2)}\n`);
      return;
    }
    const result = await commitImport(deps, started.importId, null);
    process.stdout.write(`${JSON.stringify({ ...preview, committed: true, result }, null, 2)}\n`);
  } catch (error) {
    if (error instanceof Problem) {
      process.stderr.write(`${JSON.stringify(problemBody(error, locale, `haven import ${path.basename(file)}`, 'cli'), null, 2)}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await rt.close();
  }
}

/** The sender by name, or the only organisation with an active protocol for the programme. */
async function resolveSender(db: import('../kernel/db/database.ts').Db, programmeId: string, name: string | undefined): Promise<string> {
  const today = brusselsToday();
  const senders = await db
    .selectFrom('protocols as p')
    .innerJoin('organisations as o', 'o.id', 'p.sender_organisation_id')
    .select(['o.id', 'o.name'])
    .distinct()
    .where('p.programme_id', '=', programmeId)
    .where('p.revoked_at', 'is', null)
    .where('p.document_sha256', 'is not', null)
    .where('p.valid_from', '<=', today)
    .where((eb) => eb.or([eb('p.valid_to', 'is', null), eb('p.valid_to', '>=', today)]))
    .execute();
  if (name) {
    const org = await db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirst();
    if (!org) throw new CliError('noOrganisation', { name });
    return org.id; // whether a protocol covers it is the importer's decision (and its refusal)
  }
  if (senders.length === 1) return (senders[0] as { id: string }).id;
  if (senders.length === 0) throw noActiveProtocol();
  throw new CliError('severalSenders', { senders: senders.map((s) => s.name).join(', ') });
}
