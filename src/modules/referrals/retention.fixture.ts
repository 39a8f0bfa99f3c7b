/**
 * A programme with dossiers, contacts, a vault and imports in every retention state, written
 * straight into the tables (tests of the purge and of key rotation). Every person is invented.
 *
 * Dates are in year Y (2025 + shift); `now` is Y+1-03-10. Due then: A, B (dossier D1, all its
 * contacts) and C (D2, whose other contact D is still open). Not due: D (open), E (retention
 * until Y+2), F (open, with a stale retention date that must not count).
 */
import type { Db } from '../../kernel/db/database.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { identityContext, personHash, pvContext, pvHash, sealIdentity } from './vault.ts';

export type ContactKey = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export type DossierKey = 'D1' | 'D2' | 'D3' | 'D4';

export interface World {
  programmeId: string;
  slug: string;
  year: number;
  now: Date;
  /** The period reports count over: contacts received in Y-01-01 … Y-04-01. */
  period: { from: Date; to: Date };
  contacts: Record<ContactKey, string>;
  dossiers: Record<DossierKey, string>;
  personHashes: Record<ContactKey, string>;
  imports: { expired: string; kept: string; stalePreview: string; freshPreview: string; staleFailed: string; staleParsing: string };
  /** Every name, phone and PV number of the world, to look for in raw scans. */
  plaintexts: string[];
}

let seq = 0;

export async function buildWorld(db: Db, keys: KeyRing, opts: { shiftYears?: number } = {}): Promise<World> {
  const Y = 2025 + (opts.shiftYears ?? 0);
  const at = (s: string, years = 0) => new Date(`${Y + years}-${s}`);
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  const org = await db
    .insertInto('organisations')
    .values({ name: `City ${n}`, kind: 'city', nis_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const zone = await db
    .insertInto('organisations')
    .values({ name: `Zone ${n}`, kind: 'police_zone', nis_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({ slug: `proj-${n}`, name: `Project ${n}`, coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const slug = `outreach-${n}`;
  const programme = await db
    .insertInto('programmes')
    .values({ project_id: project.id, slug, name: `Outreach ${n}`, kind: 'outreach' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const p = programme.id;
  const protocol = async (days: number) =>
    (
      await db
        .insertInto('protocols')
        .values({
          programme_id: p,
          sender_organisation_id: zone.id,
          receiver_organisation_id: org.id,
          title: `Protocol ${days} days`,
          purpose: 'Proactive outreach after a police intervention',
          legal_basis: 'gdpr_6_1_e',
          categories: ['incident', 'identity', 'contact'],
          valid_from: `${Y - 1}-01-01`,
          valid_to: null,
          retention_days: days,
          document_name: null,
          document_sha256: null,
          document_size: null,
          document: null,
          revoked_at: null,
          created_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const protocol365 = await protocol(365);
  const protocol730 = await protocol(730);

  const plaintexts: string[] = [];
  const pvs: Record<DossierKey, string> = { D1: `GE.55.L1.${n}/${Y}`, D2: `GE.55.L1.${n}x/${Y}`, D3: `GE.55.L1.${n}y/${Y}`, D4: `GE.55.L1.${n}z/${Y}` };
  const dossierSpec: Record<DossierKey, { municipality: string; colour: 'green' | 'orange' }> = {
    D1: { municipality: 'Genk', colour: 'green' },
    D2: { municipality: 'As', colour: 'green' },
    D3: { municipality: 'Bree', colour: 'orange' },
    D4: { municipality: 'Genk', colour: 'green' },
  };
  const dossiers = {} as Record<DossierKey, string>;
  for (const key of Object.keys(pvs) as DossierKey[]) {
    const pv = pvs[key];
    plaintexts.push(pv);
    const hash = pvHash(keys, p, pv);
    const d = await db
      .insertInto('dossiers')
      .values({
        programme_id: p,
        protocol_id: protocol365,
        import_id: null,
        source: 'manual',
        pv_hash: hash,
        colour: dossierSpec[key].colour,
        police_zone: 'Carma',
        municipality: dossierSpec[key].municipality,
        nis_code: null,
        postcode: null,
        relation: 'partner',
        minors_present: false,
        facts_on: `${Y}-01-02`,
        registered_on: `${Y}-01-03`,
        received_at: at('01-05T09:00:00Z'),
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    dossiers[key] = d.id;
    await db
      .insertInto('dossier_identities')
      .values({ dossier_id: d.id, pv_number: keys.seal(pv, pvContext(hash)) })
      .execute();
  }

  type Spec = {
    dossier: DossierKey;
    first: string;
    last: string;
    role: string;
    gender: string;
    status: 'open' | 'closed';
    outcome: string | null;
    received: string;
    closed: Date | null;
    until: Date | null;
  };
  const specs: Record<ContactKey, Spec> = {
    A: {
      dossier: 'D1',
      first: 'Anna',
      last: `Aerts${n}`,
      role: 'victim',
      gender: 'f',
      status: 'closed',
      outcome: 'reached',
      received: '01-15',
      closed: at('02-01T10:00:00Z'),
      until: at('02-01T10:00:00Z', 1),
    },
    B: {
      dossier: 'D1',
      first: 'Bart',
      last: `Aerts${n}`,
      role: 'suspect',
      gender: 'm',
      status: 'closed',
      outcome: 'unreachable',
      received: '01-15',
      closed: at('03-01T10:00:00Z'),
      until: at('03-01T10:00:00Z', 1),
    },
    C: {
      dossier: 'D2',
      first: 'Chloé',
      last: `Claes${n}`,
      role: 'victim',
      gender: 'f',
      status: 'closed',
      outcome: 'not_informed',
      received: '02-10',
      closed: at('02-15T10:00:00Z'),
      until: at('02-15T10:00:00Z', 1),
    },
    D: {
      dossier: 'D2',
      first: 'Dirk',
      last: `Claes${n}`,
      role: 'suspect',
      gender: 'm',
      status: 'open',
      outcome: null,
      received: '02-10',
      closed: null,
      until: null,
    },
    E: {
      dossier: 'D3',
      first: 'Els',
      last: `Evers${n}`,
      role: 'victim',
      gender: 'f',
      status: 'closed',
      outcome: 'reached',
      received: '03-01',
      closed: at('03-05T10:00:00Z'),
      until: at('01-01T00:00:00Z', 2),
    },
    F: {
      dossier: 'D4',
      first: 'Fien',
      last: `Folens${n}`,
      role: 'victim',
      gender: 'f',
      status: 'open',
      outcome: null,
      received: '03-20',
      closed: null,
      until: at('06-01T00:00:00Z'),
    },
  };
  const contacts = {} as Record<ContactKey, string>;
  const personHashes = {} as Record<ContactKey, string>;
  let phone = 0;
  for (const key of Object.keys(specs) as ContactKey[]) {
    const s = specs[key];
    const mobile = `+3247${String(Date.now() % 1_000_000).padStart(6, '0')}${phone++}`;
    const person = personHash(keys, p, { pv_number: pvs[s.dossier], last_name: s.last, first_name: s.first, birth_date: '1980-04-01' });
    personHashes[key] = person;
    plaintexts.push(s.last, mobile);
    const c = await db
      .insertInto('contacts')
      .values({
        dossier_id: dossiers[s.dossier],
        programme_id: p,
        person_hash: person,
        role: s.role,
        gender: s.gender,
        language: 'nl',
        birth_year: 1980,
        has_phone: true,
        phone_hash: keys.lookupHash(`${p}|${mobile}`, 'referrals.phone'),
        status: s.status,
        outcome: s.outcome,
        received_at: at(`${s.received}T09:00:00Z`),
        closed_at: s.closed,
        retention_until: s.until,
        purged_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    contacts[key] = c.id;
    await db
      .insertInto('contact_identities')
      .values({
        contact_id: c.id,
        person_hash: person,
        data: sealIdentity(keys, person, { lastName: s.last, firstName: s.first, birthDate: '1980-04-01', mobile }),
      })
      .execute();
  }

  const newImport = async (o: { protocol: string; status: 'committed' | 'previewed' | 'failed' | 'parsing'; created: Date; committed?: Date }) =>
    (
      await db
        .insertInto('imports')
        .values({
          programme_id: p,
          sender_organisation_id: zone.id,
          protocol_id: o.protocol,
          uploaded_by: null,
          file_name: 'export.csv',
          file_size: 100,
          file_sha256: null,
          format: 'csv',
          encoding: 'utf-8',
          delimiter: ';',
          mapping_name: null,
          columns: JSON.stringify({ pv_number: 'PV' }),
          status: o.status,
          counts: null,
          problem: null,
          created_at: o.created,
          previewed_at: o.created,
          committed_at: o.committed ?? null,
          committed_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const row = (
    importId: string,
    rowNo: number,
    r: { outcome: 'accepted' | 'warning' | 'set_aside'; reason?: string; pv?: DossierKey | 'loose'; person?: ContactKey; staged?: boolean },
  ) => {
    const pvText = r.pv === 'loose' ? `LOOSE-${n}-${rowNo}` : r.pv ? pvs[r.pv] : null;
    if (pvText) plaintexts.push(pvText);
    const pv = r.pv && r.pv !== 'loose' ? pvHash(keys, p, pvs[r.pv]) : null;
    const person = r.person ? personHashes[r.person] : null;
    return {
      import_id: importId,
      row_no: rowNo,
      outcome: r.outcome,
      reason: r.reason ?? null,
      warnings: '[]',
      pv_hash: pv,
      person_hash: person,
      facts: r.staged ? JSON.stringify({ colour: 'green', has_phone: false, municipality: 'Genk' }) : null,
      identity: r.staged && person ? keys.seal(JSON.stringify({ lastName: specs[r.person as ContactKey].last }), identityContext(person)) : null,
      pv_number: pvText ? keys.seal(pvText, pv ? pvContext(pv) : 'import_rows.pv_number') : null,
    };
  };
  // Committed at Y-01-05 under a 365-day protocol: its report's PV numbers are due at Y+1-01-05.
  const expired = await newImport({ protocol: protocol365, status: 'committed', created: at('01-05T08:00:00Z'), committed: at('01-05T08:30:00Z') });
  await db
    .insertInto('import_rows')
    .values([
      row(expired, 1, { outcome: 'accepted' }),
      row(expired, 2, { outcome: 'set_aside', reason: 'no_name', pv: 'loose' }),
      row(expired, 3, { outcome: 'warning', pv: 'D3', person: 'E' }),
    ])
    .execute();
  // Committed at Y-01-10 under a 730-day protocol: kept, but not the values of purged persons.
  const kept = await newImport({ protocol: protocol730, status: 'committed', created: at('01-10T08:00:00Z'), committed: at('01-10T08:30:00Z') });
  await db
    .insertInto('import_rows')
    .values([
      row(kept, 1, { outcome: 'warning', pv: 'D1', person: 'A' }),
      row(kept, 2, { outcome: 'warning', pv: 'D2', person: 'D' }),
      row(kept, 3, { outcome: 'set_aside', reason: 'no_name', pv: 'loose' }),
      row(kept, 4, { outcome: 'set_aside', reason: 'orange', pv: 'D3', person: 'E' }),
    ])
    .execute();
  // Previews never committed: one left for more than 7 days, one from 3 days ago; a failed one;
  // one whose process died while it was reading the file (still 'parsing').
  const stalePreview = await newImport({ protocol: protocol365, status: 'previewed', created: at('02-01T08:00:00Z', 1) });
  const freshPreview = await newImport({ protocol: protocol365, status: 'previewed', created: at('03-07T08:00:00Z', 1) });
  const staleFailed = await newImport({ protocol: protocol365, status: 'failed', created: at('01-01T08:00:00Z', 1) });
  const staleParsing = await newImport({ protocol: protocol365, status: 'parsing', created: at('01-02T08:00:00Z', 1) });
  for (const id of [stalePreview, freshPreview, staleFailed, staleParsing]) {
    await db
      .insertInto('import_rows')
      .values([
        row(id, 1, { outcome: 'accepted', pv: 'D2', person: 'D', staged: true }),
        row(id, 2, { outcome: 'accepted', pv: 'D1', person: 'A', staged: true }),
      ])
      .execute();
  }

  return {
    programmeId: p,
    slug,
    year: Y,
    now: at('03-10T00:00:00Z', 1),
    period: { from: at('01-01T00:00:00Z'), to: at('04-01T00:00:00Z') },
    contacts,
    dossiers,
    personHashes,
    imports: { expired, kept, stalePreview, freshPreview, staleFailed, staleParsing },
    plaintexts,
  };
}
