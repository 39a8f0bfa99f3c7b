import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute } from '../../kernel/http/route.ts';
import { ORGANISATION_KINDS, PROGRAMME_KINDS } from './schema.ts';

const nis = z.string().regex(/^[0-9]{5}$/);
const slug = z
  .string()
  .trim()
  .min(2)
  .max(60)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);
const isoDate = z.iso.date();

const organisationSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ORGANISATION_KINDS),
  nisCode: z.string().nullable(),
  active: z.boolean(),
  userCount: z.number().int(),
});

function organisationQuery(db: Db | Tx) {
  return db
    .selectFrom('organisations as o')
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.nis_code',
      'o.active',
      sql<number>`(SELECT count(*)::int FROM users u WHERE u.organisation_id = o.id)`.as('user_count'),
    ]);
}
type OrganisationRow = Awaited<ReturnType<ReturnType<typeof organisationQuery>['execute']>>[number];
const toOrganisation = (r: OrganisationRow) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  nisCode: r.nis_code,
  active: r.active,
  userCount: Number(r.user_count),
});

async function organisationById(db: Db | Tx, id: string) {
  const r = await organisationQuery(db).where('o.id', '=', id).executeTakeFirst();
  if (!r) throw problems.notFound();
  return toOrganisation(r);
}

async function uniqueName(tx: Tx, name: string, exceptId?: string) {
  let q = tx.selectFrom('organisations').select('id').where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw problems.invalidField('name', 'name_taken');
}

const listOrganisations = defineRoute({
  method: 'GET',
  url: '/organisations',
  access: { permission: 'organisations.read' },
  summary: 'Partner organisations',
  tags: ['organisations'],
  response: z.object({ items: z.array(organisationSchema) }),
  handler: async ({ ctx }) => {
    const rows = await ctx.read((db) => organisationQuery(db).orderBy(sql`lower(o.name)`).execute());
    return { items: rows.map(toOrganisation) };
  },
});

const organisationBody = z.strictObject({
  name: z.string().trim().min(2).max(200),
  kind: z.enum(ORGANISATION_KINDS),
  nisCode: nis.nullable().default(null),
});

const createOrganisation = defineRoute({
  method: 'POST',
  url: '/organisations',
  access: { permission: 'organisations.manage' },
  summary: 'Add a partner organisation',
  tags: ['organisations'],
  body: organisationBody,
  response: organisationSchema,
  status: 201,
  handler: async ({ body, ctx }) =>
    ctx.write(async (tx, audit) => {
      await uniqueName(tx, body.name);
      const r = await tx
        .insertInto('organisations')
        .values({ name: body.name, kind: body.kind, nis_code: body.nisCode })
        .returning('id')
        .executeTakeFirstOrThrow();
      audit({ action: 'organisation.created', recordType: 'organisation', recordId: r.id, details: { kind: body.kind } });
      return organisationById(tx, r.id);
    }),
});

const updateOrganisation = defineRoute({
  method: 'PATCH',
  url: '/organisations/:organisationId',
  access: { permission: 'organisations.manage' },
  summary: 'Rename, re-classify or (de)activate a partner organisation',
  tags: ['organisations'],
  params: z.strictObject({ organisationId: z.uuid() }),
  body: z.strictObject({
    name: z.string().trim().min(2).max(200).optional(),
    kind: z.enum(ORGANISATION_KINDS).optional(),
    nisCode: nis.nullable().optional(),
    active: z.boolean().optional(),
  }),
  response: organisationSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      await organisationById(tx, params.organisationId);
      if (body.name) await uniqueName(tx, body.name, params.organisationId);
      await tx
        .updateTable('organisations')
        .set({
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.kind !== undefined ? { kind: body.kind } : {}),
          ...(body.nisCode !== undefined ? { nis_code: body.nisCode } : {}),
          ...(body.active !== undefined ? { active: body.active } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', params.organisationId)
        .execute();
      audit({ action: 'organisation.updated', recordType: 'organisation', recordId: params.organisationId, details: { fields: Object.keys(body) } });
      return organisationById(tx, params.organisationId);
    }),
});

// ---- Projects and programmes ------------------------------------------------------------------

const programmeSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  slug: z.string(),
  name: z.string(),
  kind: z.enum(PROGRAMME_KINDS),
});

const projectSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  coordinatingOrganisationId: z.string(),
  coordinatingOrganisationName: z.string(),
  startsOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  municipalities: z.array(z.object({ nisCode: z.string(), name: z.string() })),
  partners: z.array(z.object({ id: z.string(), name: z.string() })),
  programmes: z.array(programmeSchema),
});
type Project = z.infer<typeof projectSchema>;

function programmeQuery(db: Db | Tx) {
  return db
    .selectFrom('programmes as p')
    .innerJoin('projects as j', 'j.id', 'p.project_id')
    .select(['p.id', 'p.project_id', 'j.name as project_name', 'p.slug', 'p.name', 'p.kind'])
    .orderBy('j.name')
    .orderBy('p.name');
}
type ProgrammeRow = Awaited<ReturnType<ReturnType<typeof programmeQuery>['execute']>>[number];
const toProgramme = (r: ProgrammeRow) => ({ id: r.id, projectId: r.project_id, projectName: r.project_name, slug: r.slug, name: r.name, kind: r.kind });

/** Projects with their municipalities, partners and programmes; `ids` limits which (undefined: all). */
async function loadProjects(db: Db | Tx, ids?: readonly string[]): Promise<Project[]> {
  if (ids && ids.length === 0) return [];
  let q = db
    .selectFrom('projects as j')
    .innerJoin('organisations as o', 'o.id', 'j.coordinating_organisation_id')
    .select(['j.id', 'j.slug', 'j.name', 'j.coordinating_organisation_id', 'o.name as org_name', 'j.starts_on', 'j.ends_on'])
    .orderBy('j.name');
  if (ids) q = q.where('j.id', 'in', ids);
  const projects = await q.execute();
  if (!projects.length) return [];
  const pids = projects.map((p) => p.id);
  const [munis, partners, programmes] = await Promise.all([
    db.selectFrom('project_municipalities').selectAll().where('project_id', 'in', pids).orderBy('name').execute(),
    db
      .selectFrom('project_partners as pp')
      .innerJoin('organisations as o', 'o.id', 'pp.organisation_id')
      .select(['pp.project_id', 'o.id', 'o.name'])
      .where('pp.project_id', 'in', pids)
      .orderBy('o.name')
      .execute(),
    programmeQuery(db).where('p.project_id', 'in', pids).execute(),
  ]);
  return projects.map((p) => ({
    id: p.id,
    slug: p.slug,
    name: p.name,
    coordinatingOrganisationId: p.coordinating_organisation_id,
    coordinatingOrganisationName: p.org_name,
    startsOn: p.starts_on,
    endsOn: p.ends_on,
    municipalities: munis.filter((m) => m.project_id === p.id).map((m) => ({ nisCode: m.nis_code, name: m.name })),
    partners: partners.filter((x) => x.project_id === p.id).map((x) => ({ id: x.id, name: x.name })),
    programmes: programmes.filter((x) => x.project_id === p.id).map(toProgramme),
  }));
}

const listProjects = defineRoute({
  method: 'GET',
  url: '/projects',
  access: { permission: 'projects.read' },
  summary: 'Projects: all of them, or those holding a programme of yours',
  tags: ['projects'],
  response: z.object({ items: z.array(projectSchema) }),
  handler: async ({ ctx }) => {
    const scope = ctx.scope('projects.read');
    const items = await ctx.read(async (db) => {
      if (scope.kind === 'all') return loadProjects(db);
      if (scope.kind === 'none') return [];
      const rows = await db.selectFrom('programmes').select('project_id').distinct().where('id', 'in', scope.ids).execute();
      return loadProjects(
        db,
        rows.map((r) => r.project_id),
      );
    });
    return { items };
  },
});

const createProject = defineRoute({
  method: 'POST',
  url: '/projects',
  access: { permission: 'projects.manage' },
  summary: 'Create a project with its municipalities and partners',
  tags: ['projects'],
  body: z
    .strictObject({
      slug,
      name: z.string().trim().min(2).max(200),
      coordinatingOrganisationId: z.uuid(),
      startsOn: isoDate.nullable().default(null),
      endsOn: isoDate.nullable().default(null),
      municipalities: z
        .array(z.strictObject({ nisCode: nis, name: z.string().trim().min(1).max(100) }))
        .max(600)
        .default([]),
      partnerIds: z.array(z.uuid()).max(200).default([]),
    })
    .refine((b) => !b.startsOn || !b.endsOn || b.endsOn >= b.startsOn, { message: 'ends_before_start', path: ['endsOn'] }),
  response: projectSchema,
  status: 201,
  handler: async ({ body, ctx }) =>
    ctx.write(async (tx, audit) => {
      if (await tx.selectFrom('projects').select('id').where('slug', '=', body.slug).executeTakeFirst()) throw problems.invalidField('slug', 'slug_taken');
      const orgIds = [...new Set([body.coordinatingOrganisationId, ...body.partnerIds])];
      const orgs = await tx.selectFrom('organisations').select('id').where('id', 'in', orgIds).execute();
      if (orgs.length !== orgIds.length) {
        const known = new Set(orgs.map((o) => o.id));
        const field = known.has(body.coordinatingOrganisationId)
          ? `partnerIds.${body.partnerIds.findIndex((id) => !known.has(id))}`
          : 'coordinatingOrganisationId';
        throw problems.invalidField(field, 'unknown_reference');
      }
      const r = await tx
        .insertInto('projects')
        .values({
          slug: body.slug,
          name: body.name,
          coordinating_organisation_id: body.coordinatingOrganisationId,
          starts_on: body.startsOn,
          ends_on: body.endsOn,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const munis = [...new Map(body.municipalities.map((m) => [m.nisCode, m])).values()];
      if (munis.length)
        await tx
          .insertInto('project_municipalities')
          .values(munis.map((m) => ({ project_id: r.id, nis_code: m.nisCode, name: m.name })))
          .execute();
      await tx
        .insertInto('project_partners')
        .values(orgIds.map((id) => ({ project_id: r.id, organisation_id: id })))
        .execute();
      audit({ action: 'project.created', recordType: 'project', recordId: r.id });
      return (await loadProjects(tx, [r.id]))[0] as Project;
    }),
});

const updateProject = defineRoute({
  method: 'PATCH',
  url: '/projects/:projectId',
  access: { permission: 'projects.manage' },
  summary: 'Rename a project, change its period, municipalities or partners',
  tags: ['projects'],
  params: z.strictObject({ projectId: z.uuid() }),
  body: z.strictObject({
    name: z.string().trim().min(2).max(200).optional(),
    startsOn: isoDate.nullable().optional(),
    endsOn: isoDate.nullable().optional(),
    municipalities: z
      .array(z.strictObject({ nisCode: nis, name: z.string().trim().min(1).max(100) }))
      .max(600)
      .optional(),
    partnerIds: z.array(z.uuid()).max(200).optional(),
  }),
  response: projectSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      const before = (await loadProjects(tx, [params.projectId]))[0];
      if (!before) throw problems.notFound();
      const startsOn = body.startsOn !== undefined ? body.startsOn : before.startsOn;
      const endsOn = body.endsOn !== undefined ? body.endsOn : before.endsOn;
      if (startsOn && endsOn && endsOn < startsOn) throw problems.invalidField('endsOn', 'ends_before_start');
      await tx
        .updateTable('projects')
        .set({ ...(body.name !== undefined ? { name: body.name } : {}), starts_on: startsOn, ends_on: endsOn })
        .where('id', '=', params.projectId)
        .execute();
      if (body.municipalities) {
        const munis = [...new Map(body.municipalities.map((m) => [m.nisCode, m])).values()];
        await tx.deleteFrom('project_municipalities').where('project_id', '=', params.projectId).execute();
        if (munis.length)
          await tx
            .insertInto('project_municipalities')
            .values(munis.map((m) => ({ project_id: params.projectId, nis_code: m.nisCode, name: m.name })))
            .execute();
      }
      if (body.partnerIds) {
        // The coordinating organisation stays a partner.
        const ids = [...new Set([before.coordinatingOrganisationId, ...body.partnerIds])];
        const found = await tx.selectFrom('organisations').select('id').where('id', 'in', ids).execute();
        if (found.length !== ids.length) {
          const known = new Set(found.map((o) => o.id));
          throw problems.invalidField(`partnerIds.${body.partnerIds.findIndex((id) => !known.has(id))}`, 'unknown_reference');
        }
        await tx.deleteFrom('project_partners').where('project_id', '=', params.projectId).execute();
        await tx
          .insertInto('project_partners')
          .values(ids.map((id) => ({ project_id: params.projectId, organisation_id: id })))
          .execute();
      }
      audit({ action: 'project.updated', recordType: 'project', recordId: params.projectId, details: { fields: Object.keys(body) } });
      return (await loadProjects(tx, [params.projectId]))[0] as Project;
    }),
});

const createProgramme = defineRoute({
  method: 'POST',
  url: '/projects/:projectId/programmes',
  access: { permission: 'projects.manage' },
  summary: 'Add a programme (outreach, peer groups, perpetrator training, education) to a project',
  tags: ['projects'],
  params: z.strictObject({ projectId: z.uuid() }),
  body: z.strictObject({ slug, name: z.string().trim().min(2).max(200), kind: z.enum(PROGRAMME_KINDS) }),
  response: programmeSchema,
  status: 201,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      if (!(await tx.selectFrom('projects').select('id').where('id', '=', params.projectId).executeTakeFirst())) throw problems.notFound();
      if (await tx.selectFrom('programmes').select('id').where('slug', '=', body.slug).executeTakeFirst()) throw problems.invalidField('slug', 'slug_taken');
      const r = await tx
        .insertInto('programmes')
        .values({ project_id: params.projectId, slug: body.slug, name: body.name, kind: body.kind })
        .returning('id')
        .executeTakeFirstOrThrow();
      audit({ action: 'programme.created', recordType: 'programme', recordId: r.id, programmeId: r.id, details: { kind: body.kind } });
      return toProgramme(await programmeQuery(tx).where('p.id', '=', r.id).executeTakeFirstOrThrow());
    }),
});

const listProgrammes = defineRoute({
  method: 'GET',
  url: '/programmes',
  access: { permission: 'programmes.read' },
  summary: 'The programmes you work in (all of them for a global role)',
  tags: ['programmes'],
  response: z.object({ items: z.array(programmeSchema) }),
  handler: async ({ ctx }) => {
    const scope = ctx.scope('programmes.read');
    const rows = await ctx.read((db) => {
      if (scope.kind === 'all') return programmeQuery(db).execute();
      if (scope.kind === 'none') return Promise.resolve([]);
      return programmeQuery(db).where('p.id', 'in', scope.ids).execute();
    });
    return { items: rows.map(toProgramme) };
  },
});

const programmeParams = z.strictObject({ programmeId: z.uuid() });

const updateProgramme = defineRoute({
  method: 'PATCH',
  url: '/programmes/:programmeId',
  access: { permission: 'projects.manage' },
  summary: 'Rename a programme',
  tags: ['programmes'],
  params: programmeParams,
  body: z.strictObject({ name: z.string().trim().min(2).max(200) }),
  response: programmeSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      const r = await tx.updateTable('programmes').set({ name: body.name }).where('id', '=', params.programmeId).returning('id').executeTakeFirst();
      if (!r) throw problems.notFound();
      audit({
        action: 'programme.updated',
        recordType: 'programme',
        recordId: params.programmeId,
        programmeId: params.programmeId,
        details: { fields: ['name'] },
      });
      return toProgramme(await programmeQuery(tx).where('p.id', '=', params.programmeId).executeTakeFirstOrThrow());
    }),
});

const getProgramme = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId',
  access: { permission: 'programmes.read', programmeParam: 'programmeId' },
  summary: 'One programme; another programme’s answers 404',
  tags: ['programmes'],
  params: programmeParams,
  response: programmeSchema,
  handler: async ({ params, ctx }) => {
    const r = await ctx.read((db) => programmeQuery(db).where('p.id', '=', params.programmeId).executeTakeFirst());
    if (!r) throw problems.notFound();
    return toProgramme(r);
  },
});

const programmeMembers = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/members',
  access: { permission: 'programme.members.read', programmeParam: 'programmeId' },
  summary: 'Who holds which role in a programme',
  tags: ['programmes'],
  params: programmeParams,
  response: z.object({
    items: z.array(z.object({ userId: z.string(), displayName: z.string(), organisationName: z.string(), role: z.string(), active: z.boolean() })),
  }),
  handler: async ({ params, ctx }) => {
    const rows = await ctx.read((db) =>
      db
        .selectFrom('role_assignments as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
        .select(['u.id', 'u.display_name', 'o.name as org', 'r.role', 'u.active'])
        .where('r.programme_id', '=', params.programmeId)
        .orderBy('r.role')
        .orderBy(sql`lower(u.display_name)`)
        .execute(),
    );
    return { items: rows.map((r) => ({ userId: r.id, displayName: r.display_name, organisationName: r.org, role: r.role, active: r.active })) };
  },
});

export const organisationRoutes = [
  listOrganisations,
  createOrganisation,
  updateOrganisation,
  listProjects,
  createProject,
  updateProject,
  createProgramme,
  listProgrammes,
  getProgramme,
  updateProgramme,
  programmeMembers,
];
