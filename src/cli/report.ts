/**
 * `haven report funnel --programme SLUG --from DATE --to DATE [--municipality NIS] [--format json|csv] [--lang nl|fr|en|de]`:
 * the outreach funnel of a programme, as the API and the web app give it (src/modules/outreach/funnel.ts),
 * written to stdout: JSON (the API's shape) or the CSV of the download (labels in `--lang`, `;`,
 * with a byte-order mark for Excel). Bad input (an unknown programme, a date that is not one, a
 * period that runs backwards, a municipality outside the project) prints a problem on stderr and
 * exits 1 with nothing on stdout.
 */
import { z } from 'zod';
import type { Config } from '../kernel/config.ts';
import { Problem, problems } from '../kernel/http/problem.ts';
import { toCsv } from '../kernel/spreadsheet/csv.ts';
import { computeFunnel, funnelTable, resolveFunnelQuery } from '../modules/outreach/funnel.ts';
import { problemBody } from '../server/errors.ts';
import { openRuntime } from '../server/runtime.ts';
import { issuesToFieldErrors } from '../server/validation.ts';
import { CliError, cliLocale, orList } from './lang.ts';

export interface ReportFunnelOptions {
  programme: string;
  from: string;
  to: string;
  municipality?: string;
  format?: string;
  lang?: string;
}

export const REPORT_FORMATS = ['json', 'csv'] as const;

/** The options as the API's query is checked, named as the command line names them. */
const options = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  municipality: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
});

export async function reportFunnelCommand(config: Config, o: ReportFunnelOptions): Promise<void> {
  const format = o.format ?? 'json';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new CliError('unknownFormat', { format, formats: orList(REPORT_FORMATS) });
  // --lang, HAVEN_LANG or the locale, checked before the command runs (src/cli/main.ts).
  const locale = cliLocale();
  const where = `haven report funnel --programme ${o.programme}`;
  const refuse = (problem: Problem) => {
    process.stderr.write(`${JSON.stringify(problemBody(problem, locale, where, 'cli'), null, 2)}\n`);
    process.exitCode = 1;
  };
  const parsed = options.safeParse({ from: o.from, to: o.to, municipality: o.municipality });
  if (!parsed.success) return refuse(problems.validation(issuesToFieldErrors(parsed.error.issues, 'body')));

  const rt = await openRuntime(config);
  try {
    const db = rt.database.db;
    const programme = await db.selectFrom('programmes').select(['id']).where('slug', '=', o.programme).executeTakeFirst();
    if (!programme) throw new CliError('noProgramme', { slug: o.programme });
    const query = await resolveFunnelQuery(
      db,
      { programmeId: programme.id, from: parsed.data.from, to: parsed.data.to, nisCode: parsed.data.municipality },
      { to: 'to', nisCode: 'municipality' },
    );
    const funnel = await computeFunnel(db, query);
    process.stdout.write(format === 'csv' ? toCsv(funnelTable(funnel, locale, { rate: 'text' })) : `${JSON.stringify(funnel, null, 2)}\n`);
  } catch (error) {
    if (error instanceof Problem) return refuse(error);
    throw error;
  } finally {
    await rt.close();
  }
}
