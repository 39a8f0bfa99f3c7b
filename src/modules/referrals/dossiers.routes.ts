import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../kernel/db/database.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import { closeContact, createManualReferral, INTAKE_OUTCOMES } from './dossiers.ts';
import { COLOURS, IMPORT_FIELDS } from './fields.ts';
import { brusselsToday, findActiveProtocol } from './protocols.ts';
import { readContactIdentity } from './vault.ts';

const programmeParams = z.strictObject({ programmeId: z.uuid() });

const contactSchema = z.object({
  id: z.string(),
  dossierId: z.string(),
  ref: z.string(),
  colour: z.enum(COLOURS),
  municipality: z.string().nullable(),
  role: z.string().nullable(),
  gender: z.string().nullable(),
  language: z.string().nullable(),
  birthYear: z.number().nullable(),
  hasPhone: z.boolean(),
  status: z.string(),
  outcome: z.string().nullable(),
  receivedAt: z.string(),
  closedAt: z.string().nullable(),
  purged: z.boolean(),
});

const dossierSchema = z.object({
  id: z.string(),
  ref: z.string(),
  source: z.string(),
  colour: z.enum(COLOURS),
  policeZone: z.string().nullable(),
  municipality: z.string().nullable(),
  nisCode: z.string().nullable(),
  postcode: z.string().nullable(),
  relation: z.string().nullable(),
  minorsPresent: z.boolean().nullable(),
  factsOn: z.string().nullable(),
  registeredOn: z.string().nullable(),
  receivedAt: z.string(),
  contacts: z.number(),
  openContacts: z.number(),
});

/** A short pseudonymous reference, e.g. `D-3F9A2C`: enough to talk about a dossier, names nobody. */
export const refOf = (prefix: string, id: string) => `${prefix}-${id.replace(/-/g, '').slice(0, 6).toUpperCase()}`;

const contactsFrom = (db: Kysely<Database>) => db.selectFrom('contacts as c').innerJoin('dossiers as d', 'd.id', 'c.dossier_id');

function contactQuery(db: Kysely<Database>) {
  return contactsFrom(db).select([
    'c.id',
    'c.dossier_id',
    'd.colour',
    'd.municipality',
    'c.role',
    'c.gender',
    'c.language',
    'c.birth_year',
    'c.has_phone',
    'c.status',
    'c.outcome',
    'c.received_at',
    'c.closed_at',
    'c.purged_at',
  ]);
}
type ContactRow = Awaited<ReturnType<ReturnType<typeof contactQuery>['execute']>>[number];
const toContact = (r: ContactRow) => ({
  id: r.id,
  dossierId: r.dossier_id,
  ref: refOf('C', r.id),
  colour: r.colour,
  municipality: r.municipality,
  role: r.role,
  gender: r.gender,
  language: r.language,
  birthYear: r.birth_year,
  hasPhone: r.has_phone,
  status: r.status,
  outcome: r.outcome,
  receivedAt: r.received_at.toISOString(),
  closedAt: r.closed_at ? r.closed_at.toISOString() : null,
  purged: r.purged_at !== null,
});

function dossierQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dossiers as d')
    .select([
      'd.id',
      'd.source',
      'd.colour',
      'd.police_zone',
      'd.municipality',
      'd.nis_code',
      'd.postcode',
      'd.relation',
      'd.minors_present',
      'd.facts_on',
      'd.registered_on',
      'd.received_at',
      sql<number>`(SELECT count(*)::int FROM contacts c WHERE c.dossier_id = d.id)`.as('contacts'),
      sql<number>`(SELECT count(*)::int FROM contacts c WHERE c.dossier_id = d.id AND c.status = 'open')`.as('open_contacts'),
    ]);
}
type DossierRow = Awaited<ReturnType<ReturnType<typeof dossierQuery>['execute']>>[number];
const toDossier = (r: DossierRow) => ({
  id: r.id,
  ref: refOf('D', r.id),
  source: r.source,
  colour: r.colour,
  policeZone: r.police_zone,
  municipality: r.municipality,
  nisCode: r.nis_code,
  postcode: r.postcode,
  relation: r.relation,
  minorsPresent: r.minors_present,
  factsOn: r.facts_on,
  registeredOn: r.registered_on,
  receivedAt: r.received_at.toISOString(),
  contacts: Number(r.contacts),
  openContacts: Number(r.open_contacts),
});

const offsetOf = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize;

const listDossiers = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/dossiers',
  access: { permission: 'dossiers.read', programmeParam: 'programmeId' },
  summary: 'Dossiers of the programme (pseudonymous); orange and red ones are the coordinator’s separate list',
  tags: ['dossiers'],
  params: programmeParams,
  query: pageQuery.extend({
    colour: z.enum(COLOURS).optional(),
    nisCode: z
      .string()
      .regex(/^\d{5}$/)
      .optional(),
  }),
  response: paged(dossierSchema),
  handler: async ({ params, query, ctx }) => {
    const [rows, total] = await ctx.read(async (db) => {
      let base = db.selectFrom('dossiers as d').where('d.programme_id', '=', params.programmeId);
      if (query.colour) base = base.where('d.colour', '=', query.colour);
      if (query.nisCode) base = base.where('d.nis_code', '=', query.nisCode);
      const ids = base.select('d.id').orderBy('d.received_at', 'desc').orderBy('d.id').limit(query.pageSize).offset(offsetOf(query));
      return Promise.all([
        dossierQuery(db).where('d.id', 'in', ids).orderBy('d.received_at', 'desc').orderBy('d.id').execute(),
        base
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n)),
      ]);
    });
    return { items: rows.map(toDossier), total, page: query.page, pageSize: query.pageSize };
  },
});

const getDossier = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/dossiers/:dossierId',
  access: { permission: 'dossiers.read', programmeParam: 'programmeId' },
  summary: 'One dossier with its contacts (pseudonymous)',
  tags: ['dossiers'],
  params: z.strictObject({ programmeId: z.uuid(), dossierId: z.uuid() }),
  response: dossierSchema.extend({ persons: z.array(contactSchema) }),
  handler: async ({ params, ctx }) => {
    const [dossier, contacts] = await ctx.read((db) =>
      Promise.all([
        dossierQuery(db).where('d.id', '=', params.dossierId).where('d.programme_id', '=', params.programmeId).executeTakeFirst(),
        contactQuery(db)
          .where('c.dossier_id', '=', params.dossierId)
          .where('c.programme_id', '=', params.programmeId)
          .orderBy('c.received_at')
          .orderBy('c.id')
          .execute(),
      ]),
    );
    if (!dossier) throw problems.notFound();
    return { ...toDossier(dossier), persons: contacts.map(toContact) };
  },
});

const listContacts = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/contacts',
  access: { permission: 'dossiers.read', programmeParam: 'programmeId' },
  summary: 'Contacts of the programme (pseudonymous), newest first',
  tags: ['dossiers'],
  params: programmeParams,
  query: pageQuery.extend({
    colour: z.enum(COLOURS).optional(),
    status: z.enum(['open', 'closed']).optional(),
    withoutPhone: z.enum(['true', 'false']).optional(),
    nisCode: z
      .string()
      .regex(/^\d{5}$/)
      .optional(),
  }),
  response: paged(contactSchema),
  handler: async ({ params, query, ctx }) => {
    const [rows, total] = await ctx.read(async (db) => {
      let base = contactsFrom(db).where('c.programme_id', '=', params.programmeId);
      if (query.colour) base = base.where('d.colour', '=', query.colour);
      if (query.status) base = base.where('c.status', '=', query.status);
      if (query.withoutPhone) base = base.where('c.has_phone', '=', query.withoutPhone === 'false');
      if (query.nisCode) base = base.where('d.nis_code', '=', query.nisCode);
      return Promise.all([
        contactQuery(db)
          .where('c.id', 'in', base.select('c.id').orderBy('c.received_at', 'desc').orderBy('c.id').limit(query.pageSize).offset(offsetOf(query)))
          .orderBy('c.received_at', 'desc')
          .orderBy('c.id')
          .execute(),
        base
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n)),
      ]);
    });
    return { items: rows.map(toContact), total, page: query.page, pageSize: query.pageSize };
  },
});

const revealIdentity = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/identity',
  access: { permission: 'contacts.identity.read', programmeParam: 'programmeId' },
  summary: 'Read a contact’s identifying data from the vault, for a stated purpose (audited)',
  tags: ['dossiers'],
  params: z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() }),
  body: z.strictObject({ purpose: z.string().trim().min(3).max(300) }),
  response: z.object({
    identity: z.object({
      lastName: z.string().optional(),
      firstName: z.string().optional(),
      birthDate: z.string().optional(),
      mobile: z.string().optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
      street: z.string().optional(),
      houseNumber: z.string().optional(),
      box: z.string().optional(),
      remarks: z.string().optional(),
    }),
    pvNumber: z.string().nullable(),
  }),
  handler: async ({ params, body, ctx }) => {
    const found = await ctx.read((db) =>
      db.selectFrom('contacts').select('id').where('id', '=', params.contactId).where('programme_id', '=', params.programmeId).executeTakeFirst(),
    );
    if (!found) throw problems.notFound();
    return ctx.read((db) => readContactIdentity(db, ctx.keys, (e) => ctx.audit(e), params.contactId, body.purpose));
  },
});

const rawValue = z.string().trim().max(500);
const rawFields = z.partialRecord(z.enum(IMPORT_FIELDS), rawValue);

const createDossier = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/dossiers',
  access: { permission: 'dossiers.create', programmeParam: 'programmeId' },
  summary: 'Enter one dossier by hand (e.g. after a phone call from the police), validated like an import',
  tags: ['dossiers'],
  params: programmeParams,
  body: z.strictObject({
    senderOrganisationId: z.uuid(),
    dossier: rawFields,
    persons: z.array(rawFields).min(1).max(20),
  }),
  response: dossierSchema.extend({ persons: z.array(contactSchema) }),
  status: 201,
  handler: async ({ params, body, ctx }) => {
    const protocol = await ctx.read((db) =>
      findActiveProtocol(db, { programmeId: params.programmeId, senderOrganisationId: body.senderOrganisationId, on: brusselsToday() }),
    );
    if (!protocol) throw problems.invalidField('senderOrganisationId', 'no_active_protocol');
    const { dossierId } = await ctx.write((tx, audit) =>
      createManualReferral(tx, ctx.keys, audit, {
        programmeId: params.programmeId,
        protocol,
        dossier: body.dossier,
        persons: body.persons,
        createdBy: ctx.user.userId,
      }),
    );
    const [dossier, contacts] = await ctx.read((db) =>
      Promise.all([
        dossierQuery(db).where('d.id', '=', dossierId).executeTakeFirstOrThrow(),
        contactQuery(db).where('c.dossier_id', '=', dossierId).orderBy('c.received_at').orderBy('c.id').execute(),
      ]),
    );
    return { ...toDossier(dossier), persons: contacts.map(toContact) };
  },
});

const close = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/close',
  access: { permission: 'contacts.close', programmeParam: 'programmeId' },
  summary: 'Close a contact before outreach (not informed, reached by letter); starts the retention clock',
  tags: ['dossiers'],
  params: z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() }),
  body: z.strictObject({ outcome: z.enum(INTAKE_OUTCOMES) }),
  response: contactSchema,
  handler: async ({ params, body, ctx }) => {
    await ctx.write((tx, audit) => closeContact(tx, audit, { programmeId: params.programmeId, contactId: params.contactId, outcome: body.outcome }));
    const row = await ctx.read((db) => contactQuery(db).where('c.id', '=', params.contactId).executeTakeFirstOrThrow());
    return toContact(row);
  },
});

export const dossierRoutes = [listDossiers, getDossier, listContacts, revealIdentity, createDossier, close];
