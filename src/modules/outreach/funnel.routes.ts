/**
 * The live funnel of a programme (funnel.ts says what each line counts). Counts only: the analyst
 * and the coordinator read it (reports.read). The contacts behind a line are listed to those who
 * see the programme's dossiers (dossiers.read: the coordinator), as pseudonymous references.
 *
 *   GET /api/programmes/:programmeId/funnel?from&to&nisCode            → Funnel (JSON), with the project's municipalities
 *   GET /api/programmes/:programmeId/funnel.csv?from&to&nisCode&lang   → the same, a CSV in the user's language
 *   GET /api/programmes/:programmeId/funnel.xlsx?from&to&nisCode&lang  → the same, an XLSX workbook
 *   GET /api/programmes/:programmeId/funnel/contacts?line&kind&attemptNo&from&to&nisCode&page&pageSize
 *       → paged { ref, dossierRef, … } of the contacts behind a line
 */
import { z } from 'zod';
import { type AnyRoute, defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import { isLocale, type Locale, translate } from '../../kernel/i18n/i18n.ts';
import { toCsv } from '../../kernel/spreadsheet/csv.ts';
import { toXlsx } from '../../kernel/spreadsheet/xlsx.ts';
import { refOf } from '../referrals/dossiers.routes.ts';
import { computeFunnel, DRILL_DOWN_LINES, FUNNEL_LINES, type FunnelQuery, funnelContacts, funnelFileName, funnelTable, resolveFunnelQuery } from './funnel.ts';
import { PARTS_OF_DAY, SERVICE_KINDS } from './schema.ts';

const programmeParams = z.strictObject({ programmeId: z.uuid() });

/** The period (yyyy-mm-dd, Europe/Brussels, both days included) and the municipality. */
export const funnelFilters = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  nisCode: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
});
const exportQuery = funnelFilters.extend({ lang: z.enum(['nl', 'fr', 'en', 'de']).optional() });

const rate = z.object({ attempts: z.number().int(), reached: z.number().int(), rate: z.number().nullable() });
export const funnelSchema = z.object({
  programme: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  period: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
  municipality: z.object({ nisCode: z.string(), name: z.string() }).nullable(),
  maxAttempts: z.number().int(),
  lines: z.array(
    z.object({
      line: z.enum(FUNNEL_LINES),
      kind: z.enum(SERVICE_KINDS).nullable(),
      parent: z.enum(FUNNEL_LINES).nullable(),
      group: z.enum(['stage', 'talk', 'referral']).nullable().describe('the lines of a group add up to their parent'),
      count: z.number().int(),
      note: z.enum(['several_kinds', 'cross_cutting']).nullable(),
    }),
  ),
  reachByAttempt: z.array(rate.extend({ attemptNo: z.number().int() })),
  reachByPartOfDay: z.array(rate.extend({ partOfDay: z.enum(PARTS_OF_DAY) })),
});
/** The JSON answer adds the project's municipalities: the choices of the filter (an analyst may not read projects). */
const funnelAnswer = funnelSchema.extend({
  municipalities: z.array(z.object({ nisCode: z.string(), name: z.string() })).describe('the municipalities of the programme’s project, by name'),
});

const API_FIELDS = { to: 'query.to', nisCode: 'query.nisCode' };
const queryOf = (programmeId: string, q: z.infer<typeof funnelFilters>): FunnelQuery => ({ programmeId, from: q.from, to: q.to, nisCode: q.nisCode });

const json = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/funnel',
  access: { permission: 'reports.read', programmeParam: 'programmeId' },
  summary: 'The outreach funnel of the contacts received in a period (counts only)',
  tags: ['reports'],
  params: programmeParams,
  query: funnelFilters,
  response: funnelAnswer,
  handler: async ({ params, query, ctx }) =>
    ctx.read(async (db) => {
      const funnel = await computeFunnel(db, await resolveFunnelQuery(db, queryOf(params.programmeId, query), API_FIELDS));
      const municipalities = await db
        .selectFrom('project_municipalities as m')
        .innerJoin('programmes as p', 'p.project_id', 'm.project_id')
        .select(['m.nis_code', 'm.name'])
        .where('p.id', '=', params.programmeId)
        .orderBy('m.name')
        .execute();
      return { ...funnel, municipalities: municipalities.map((m) => ({ nisCode: m.nis_code, name: m.name })) };
    }),
});

/** A download's headers: the name is ASCII already (slug, dates, NIS code). */
const attachment = (name: string) => `attachment; filename="${name}"`;

const csv = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/funnel.csv',
  access: { permission: 'reports.read', programmeParam: 'programmeId' },
  summary: 'The outreach funnel as CSV (labels in the user’s language, or `lang`)',
  tags: ['reports'],
  params: programmeParams,
  query: exportQuery,
  handler: async ({ params, query, ctx, reply }) => {
    const funnel = await ctx.read(async (db) => computeFunnel(db, await resolveFunnelQuery(db, queryOf(params.programmeId, query), API_FIELDS)));
    const locale: Locale = query.lang && isLocale(query.lang) ? query.lang : ctx.locale;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', attachment(funnelFileName(funnel, 'csv')))
      .send(toCsv(funnelTable(funnel, locale, { rate: 'text' })));
  },
});

const xlsx = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/funnel.xlsx',
  access: { permission: 'reports.read', programmeParam: 'programmeId' },
  summary: 'The outreach funnel as an Excel workbook (labels in the user’s language, or `lang`)',
  tags: ['reports'],
  params: programmeParams,
  query: exportQuery,
  handler: async ({ params, query, ctx, reply }) => {
    const funnel = await ctx.read(async (db) => computeFunnel(db, await resolveFunnelQuery(db, queryOf(params.programmeId, query), API_FIELDS)));
    const locale: Locale = query.lang && isLocale(query.lang) ? query.lang : ctx.locale;
    const body = await toXlsx([{ name: translate(locale, 'reports:funnel.sheet'), rows: funnelTable(funnel, locale, { rate: 'number' }) }]);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', attachment(funnelFileName(funnel, 'xlsx')))
      .send(body);
  },
});

const drillDownQuery = pageQuery
  .extend(funnelFilters.shape)
  .extend({
    line: z.enum(DRILL_DOWN_LINES),
    kind: z.enum(SERVICE_KINDS).optional(),
    attemptNo: z.coerce.number().int().min(1).max(100).optional(),
  })
  .refine((q) => q.line !== 'referred_kind' || q.kind !== undefined, { message: 'required', path: ['kind'] })
  .refine((q) => !q.line.startsWith('phone_attempt') || q.attemptNo !== undefined, { message: 'required', path: ['attemptNo'] });

const contactRef = z.object({
  id: z.string(),
  ref: z.string(),
  dossierId: z.string(),
  dossierRef: z.string(),
  nisCode: z.string().nullable(),
  municipality: z.string().nullable(),
  status: z.string(),
  outcome: z.string().nullable(),
  attemptCount: z.number().int(),
  receivedAt: z.string(),
  reachedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

const drillDown = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/funnel/contacts',
  access: { permission: 'dossiers.read', programmeParam: 'programmeId' },
  summary: 'The contacts behind a line of the funnel (pseudonymous references), oldest received first',
  tags: ['reports'],
  params: programmeParams,
  query: drillDownQuery,
  response: paged(contactRef),
  handler: async ({ params, query, ctx }) => {
    const { items, total } = await ctx.read(async (db) =>
      funnelContacts(
        db,
        await resolveFunnelQuery(db, queryOf(params.programmeId, query), API_FIELDS),
        { line: query.line, kind: query.kind, attemptNo: query.attemptNo },
        query,
      ),
    );
    return {
      items: items.map((c) => ({ ...c, ref: refOf('C', c.id), dossierRef: refOf('D', c.dossierId) })),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  },
});

export const funnelRoutes: AnyRoute[] = [json, csv, xlsx, drillDown];
