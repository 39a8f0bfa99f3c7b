/**
 * The directory of services of a programme's project, under the programme's URL (the kernel
 * scopes access by programme): callers and coordinators read it (services.read), coordinators
 * keep it (services.manage). Referrals and follow-up calls are in referrals.routes.ts.
 *
 *   GET    /api/programmes/:programmeId/services?kind&nisCode&language&active&page&pageSize
 *   GET    /api/programmes/:programmeId/services/:serviceId
 *   POST   /api/programmes/:programmeId/services              → 201 service
 *   PUT    /api/programmes/:programmeId/services/:serviceId   → service (every field replaced)
 *   DELETE /api/programmes/:programmeId/services/:serviceId   → { outcome: deleted | deactivated, service }
 */
import { z } from 'zod';
import { type AnyRoute, defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import { referralRoutes } from './referrals.routes.ts';
import { SERVICE_KINDS } from './schema.ts';
import { createService, listServices, projectOf, removeService, type ServiceInput, serviceById, updateService } from './services.ts';

const programmeParams = z.strictObject({ programmeId: z.uuid() });
const serviceParams = z.strictObject({ programmeId: z.uuid(), serviceId: z.uuid() });
const nis = z.string().regex(/^\d{5}$/);

/** An optional text field: absent, null or blank all mean "none". */
const optionalText = <T extends z.ZodType<string | null>>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema.nullable().default(null));

export const serviceSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  organisationId: z.string().nullable(),
  organisationName: z.string().nullable(),
  name: z.string(),
  kind: z.enum(SERVICE_KINDS),
  nisCodes: z.array(z.string()).describe('municipalities served (NIS codes); empty: the whole project'),
  languages: z.array(z.string()).describe('ISO 639-1 codes; empty: not stated'),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  description: z.string(),
  active: z.boolean(),
  referrals: z.number().int().describe('referrals pointing at the service: it can be deactivated, not deleted'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const serviceBody = z.strictObject({
  organisationId: z.uuid().nullable().default(null),
  name: z.string().trim().min(1).max(200),
  kind: z.enum(SERVICE_KINDS),
  nisCodes: z.array(nis).max(600).default([]),
  languages: z.array(z.string().trim().toLowerCase().length(2)).max(30).default([]),
  phone: optionalText(
    z
      .string()
      .trim()
      .max(40)
      .refine((v) => /^\+?[0-9][0-9 ./()-]{4,}$/.test(v), { message: 'phone_unusable' }),
  ),
  email: optionalText(z.string().trim().max(254).pipe(z.email())),
  website: optionalText(
    z
      .string()
      .trim()
      .max(500)
      .pipe(z.url({ protocol: /^https?$/ })),
  ),
  description: z.string().trim().max(2000).default(''),
  active: z.boolean().default(true),
});

const toInput = (b: z.infer<typeof serviceBody>): ServiceInput => ({
  organisationId: b.organisationId,
  name: b.name,
  kind: b.kind,
  nisCodes: b.nisCodes,
  languages: b.languages,
  phone: b.phone,
  email: b.email,
  website: b.website,
  description: b.description,
  active: b.active,
});

const list = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/services',
  access: { permission: 'services.read', programmeParam: 'programmeId' },
  summary: 'The directory of services of the programme’s project (active first, by kind and name)',
  tags: ['services'],
  params: programmeParams,
  query: pageQuery.extend({
    kind: z.enum(SERVICE_KINDS).optional(),
    nisCode: nis.optional().describe('services serving this municipality, or the whole project'),
    language: z.string().trim().toLowerCase().length(2).optional().describe('services working in this language, or whose languages are not stated'),
    active: z.enum(['true', 'false']).optional(),
  }),
  response: paged(serviceSchema),
  handler: async ({ params, query, ctx }) => {
    const { items, total } = await ctx.read(async (db) =>
      listServices(
        db,
        await projectOf(db, params.programmeId),
        { kind: query.kind, nisCode: query.nisCode, language: query.language, active: query.active === undefined ? undefined : query.active === 'true' },
        query,
      ),
    );
    return { items, total, page: query.page, pageSize: query.pageSize };
  },
});

const getOne = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/services/:serviceId',
  access: { permission: 'services.read', programmeParam: 'programmeId' },
  summary: 'One service of the directory',
  tags: ['services'],
  params: serviceParams,
  response: serviceSchema,
  handler: async ({ params, ctx }) => ctx.read(async (db) => serviceById(db, await projectOf(db, params.programmeId), params.serviceId)),
});

const create = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/services',
  access: { permission: 'services.manage', programmeParam: 'programmeId' },
  summary: 'Add a service to the directory of the programme’s project',
  tags: ['services'],
  params: programmeParams,
  body: serviceBody,
  response: serviceSchema,
  status: 201,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) =>
      createService(tx, audit, { programmeId: params.programmeId, projectId: await projectOf(tx, params.programmeId), input: toInput(body) }),
    ),
});

const update = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/services/:serviceId',
  access: { permission: 'services.manage', programmeParam: 'programmeId' },
  summary: 'Change a service (every field is replaced); `active: false` takes it out of new referrals',
  tags: ['services'],
  params: serviceParams,
  body: serviceBody,
  response: serviceSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) =>
      updateService(tx, audit, {
        programmeId: params.programmeId,
        projectId: await projectOf(tx, params.programmeId),
        serviceId: params.serviceId,
        input: toInput(body),
      }),
    ),
});

const remove = defineRoute({
  method: 'DELETE',
  url: '/programmes/:programmeId/services/:serviceId',
  access: { permission: 'services.manage', programmeParam: 'programmeId' },
  summary: 'Remove a service; one that referrals point at is deactivated instead (outcome says which)',
  tags: ['services'],
  params: serviceParams,
  response: z.object({ outcome: z.enum(['deleted', 'deactivated']), service: serviceSchema.nullable() }),
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) =>
      removeService(tx, audit, { programmeId: params.programmeId, projectId: await projectOf(tx, params.programmeId), serviceId: params.serviceId }),
    ),
});

export const serviceRoutes: AnyRoute[] = [list, getOne, create, update, remove, ...referralRoutes];
