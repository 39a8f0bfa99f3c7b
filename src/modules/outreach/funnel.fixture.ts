/**
 * A programme whose contacts stand at every stage of the funnel, written straight into the tables
 * (tests of the funnel, its exports and `haven report funnel`). Every person is invented.
 *
 * The worklist, attempts, conversations and escalations have their own routes and tests; here
 * their pseudonymous facts are set directly, as those routes leave them: attempt rows numbered
 * per contact with their Brussels day and part of the day, `reached_at` = the first reaching
 * attempt, `attempt_count`/`last_attempt_at`, conversation rows with their status, referral rows
 * (kind copied from the service), escalation rows, and for a closed contact its outcome, closed_at
 * and retention_until (as closeContact sets them). Each contact has a sealed identity, and its
 * attempts, conversations and escalations sealed notes, so that a purge has something to destroy.
 *
 * The period is 2025-01-01 … 2025-03-31 (Europe/Brussels). Four contacts sit on its edges: E1 and
 * E3 just inside (00:30 on 1 January, 23:59 on 31 March, summer time), E2 and E4 just outside.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../kernel/db/database.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { personHash, pvContext, pvHash, sealIdentity } from '../referrals/vault.ts';
import { addDays, brusselsTime, localDay, partOfDay } from './rules.ts';
import type { AttemptChannel, AttemptOutcome, ContactOutcome, ReferralStatus, ServiceKind } from './schema.ts';
import { outreachContext } from './sealed.ts';

export const GENK = { nisCode: '71016', name: 'Genk' } as const;
export const AS = { nisCode: '71002', name: 'As' } as const;
export const PERIOD = { from: '2025-01-01', to: '2025-03-31' } as const;

type Part = 'morning' | 'afternoon' | 'evening';
const HOUR: Record<Part, number> = { morning: 9, afternoon: 14, evening: 19 };

interface Spec {
  /** The instant the contact was received (UTC). */
  received: string;
  nis?: string;
  status: 'open' | 'closed';
  outcome?: ContactOutcome;
  /** Attempt k falls k days after the day received, at 09:00, 14:00 or 19:00 in Brussels. */
  attempts?: [Part, AttemptOutcome, AttemptChannel?][];
  conversations?: ('held' | 'refused' | 'in_progress')[];
  referrals?: [ServiceKind, ReferralStatus][];
  escalation?: boolean;
}

/** The contacts of the world and what became of them. */
export const SPECS = {
  ni1: { received: '2025-02-03T10:00:00Z', status: 'closed', outcome: 'not_informed', attempts: [['morning', 'not_in_service']] },
  ni2: { received: '2025-02-03T11:00:00Z', nis: AS.nisCode, status: 'closed', outcome: 'not_informed' },
  un1: {
    received: '2025-02-04T10:00:00Z',
    status: 'closed',
    outcome: 'unreachable',
    attempts: [
      ['morning', 'no_answer'],
      ['afternoon', 'no_answer'],
      ['evening', 'no_answer'],
    ],
  },
  un2: {
    received: '2025-02-04T11:00:00Z',
    nis: AS.nisCode,
    status: 'closed',
    outcome: 'unreachable',
    attempts: [
      ['afternoon', 'no_answer'],
      ['evening', 'busy'],
      ['morning', 'voicemail_neutral'],
    ],
  },
  rf1: { received: '2025-02-05T10:00:00Z', status: 'closed', outcome: 'refused', attempts: [['morning', 'reached']], conversations: ['refused'] },
  rf2: {
    received: '2025-02-05T11:00:00Z',
    status: 'closed',
    outcome: 'refused',
    attempts: [
      ['afternoon', 'no_answer'],
      ['evening', 'reached'],
    ],
  },
  ch1: {
    received: '2025-02-06T10:00:00Z',
    status: 'closed',
    outcome: 'conversation',
    attempts: [['afternoon', 'reached']],
    conversations: ['held'],
    referrals: [
      ['caw', 'taken_up'],
      ['gp', 'declined'],
    ],
  },
  ch2: {
    received: '2025-02-06T11:00:00Z',
    nis: AS.nisCode,
    status: 'closed',
    outcome: 'conversation',
    attempts: [
      ['morning', 'no_answer'],
      ['afternoon', 'no_answer'],
      ['evening', 'reached'],
    ],
    conversations: ['held'],
    referrals: [
      ['caw', 'accepted'],
      ['peer_group', 'proposed'],
    ],
  },
  ch3: { received: '2025-02-07T10:00:00Z', status: 'closed', outcome: 'conversation', attempts: [['morning', 'reached']], conversations: ['refused', 'held'] },
  ch4: {
    received: '2025-02-07T11:00:00Z',
    status: 'closed',
    outcome: 'conversation',
    attempts: [
      ['evening', 'no_answer'],
      ['afternoon', 'reached'],
    ],
    referrals: [['caw', 'declined']],
  },
  ch5: {
    received: '2025-02-10T10:00:00Z',
    status: 'closed',
    outcome: 'escalated',
    attempts: [['morning', 'reached']],
    conversations: ['held'],
    referrals: [['veilig_huis', 'proposed']],
    escalation: true,
  },
  ro1: { received: '2025-02-11T10:00:00Z', status: 'open', attempts: [['afternoon', 'reached']], conversations: ['in_progress'] },
  ro2: { received: '2025-02-11T11:00:00Z', status: 'open', attempts: [['evening', 'reached']] },
  co1: {
    received: '2025-02-12T10:00:00Z',
    status: 'closed',
    outcome: 'letter_sent',
    attempts: [
      ['morning', 'no_answer'],
      ['afternoon', 'sent', 'letter'],
    ],
  },
  co2: { received: '2025-02-12T11:00:00Z', status: 'closed', outcome: 'escalated', attempts: [['afternoon', 'someone_else']], escalation: true },
  op1: { received: '2025-02-13T10:00:00Z', status: 'open' },
  op2: { received: '2025-02-13T11:00:00Z', status: 'open', attempts: [['evening', 'no_answer']] },
  // 00:30 on 1 January in Brussels (winter time, UTC+1): inside.
  E1: { received: '2024-12-31T23:30:00Z', status: 'open' },
  // 23:59:59 on 31 December in Brussels: outside.
  E2: { received: '2024-12-31T22:59:59Z', status: 'open' },
  // 23:59 on 31 March in Brussels (summer time since 30 March, UTC+2): inside.
  E3: { received: '2025-03-31T21:59:00Z', status: 'closed', outcome: 'not_informed' },
  // 00:00 on 1 April in Brussels: outside.
  E4: { received: '2025-03-31T22:00:00Z', status: 'open' },
} as const satisfies Record<string, Spec>;
export type ContactKey = keyof typeof SPECS;

export interface FunnelWorld {
  programmeId: string;
  projectId: string;
  slug: string;
  contacts: Record<ContactKey, string>;
  services: Record<'caw' | 'peer_group' | 'gp' | 'veilig_huis', string>;
  /** A moment after the retention of every closed contact has ended. */
  afterRetention: Date;
  /** Every name and phone number of the world, to look for in outputs. */
  plaintexts: string[];
}

let seq = 0;

/**
 * Builds the world in `programmeId` (of `projectId`), or in a new project and programme. The
 * project gets Genk and As as municipalities, four services, a scenario for the conversations.
 */
export async function buildFunnelWorld(
  db: Db,
  keys: KeyRing,
  opts: { programmeId?: string; projectId?: string; programmeName?: string } = {},
): Promise<FunnelWorld> {
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  let { programmeId, projectId } = opts;
  if (!programmeId || !projectId) {
    const org = await db
      .insertInto('organisations')
      .values({ name: `City ${n}`, kind: 'city', nis_code: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    projectId = (
      await db
        .insertInto('projects')
        .values({ slug: `proj-${n}`, name: `Project ${n}`, coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    programmeId = (
      await db
        .insertInto('programmes')
        .values({ project_id: projectId, slug: `outreach-${n}`, name: opts.programmeName ?? `Outreach ${n}`, kind: 'outreach' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }
  const programme = await db.selectFrom('programmes').select(['slug']).where('id', '=', programmeId).executeTakeFirstOrThrow();
  await db
    .insertInto('project_municipalities')
    .values([GENK, AS].map((m) => ({ project_id: projectId as string, nis_code: m.nisCode, name: m.name })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('outreach_settings')
    .values({ programme_id: programmeId, max_attempts: 3 })
    .onConflict((oc) => oc.column('programme_id').doUpdateSet({ max_attempts: 3 }))
    .execute();
  const services = {} as FunnelWorld['services'];
  for (const kind of ['caw', 'peer_group', 'gp', 'veilig_huis'] as const) {
    services[kind] = (
      await db
        .insertInto('services')
        .values({ project_id: projectId, name: `${kind} ${n}`, kind, nis_codes: [], languages: ['nl'] })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }
  const scenario = await db
    .insertInto('scenarios')
    .values({
      programme_id: programmeId,
      key: `funnel-${n}`.slice(0, 60),
      version: 1,
      status: 'published',
      definition: JSON.stringify({ sections: [] }),
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const contacts = {} as Record<ContactKey, string>;
  const plaintexts: string[] = [];
  let latestRetention = 0;
  for (const [key, raw] of Object.entries(SPECS) as [ContactKey, Spec][]) {
    const spec: Spec = raw;
    const received = new Date(spec.received);
    const nis = spec.nis ?? GENK.nisCode;
    const pvNumber = `HA.55.L7.${randomUUID().slice(0, 8)}/2025`;
    const pv = pvHash(keys, programmeId, pvNumber);
    const dossier = await db
      .insertInto('dossiers')
      .values({
        programme_id: programmeId,
        source: 'manual',
        pv_hash: pv,
        colour: 'green',
        municipality: nis === AS.nisCode ? AS.name : GENK.name,
        nis_code: nis,
        received_at: received,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('dossier_identities')
      .values({ dossier_id: dossier.id, pv_number: keys.seal(pvNumber, pvContext(pv)) })
      .execute();
    const lastName = `Funnel${key}${n}`;
    const mobile = `+3247${String(100000 + seq * 100 + Object.keys(contacts).length).padStart(7, '0')}`;
    plaintexts.push(lastName, mobile, pvNumber);
    const person = personHash(keys, programmeId, { pv_number: pvNumber, last_name: lastName, first_name: 'An' });

    const attempts = (spec.attempts ?? []).map(([part, outcome, channel], i) => {
      const at = brusselsTime(addDays(localDay(received), i + 1), HOUR[part]);
      return { no: i + 1, at, outcome, channel: channel ?? 'phone' };
    });
    const reached = attempts.find((a) => a.outcome === 'reached');
    const last = attempts.at(-1);
    const closedAt = spec.status === 'closed' ? new Date(received.getTime() + 30 * 86_400_000) : null;
    const retentionUntil = closedAt ? new Date(closedAt.getTime() + 365 * 86_400_000) : null;
    if (retentionUntil) latestRetention = Math.max(latestRetention, retentionUntil.getTime());
    const contact = await db
      .insertInto('contacts')
      .values({
        dossier_id: dossier.id,
        programme_id: programmeId,
        person_hash: person,
        role: 'victim',
        gender: 'f',
        language: 'nl',
        birth_year: 1980,
        has_phone: key !== 'ni2',
        phone_hash: null,
        received_at: received,
        status: spec.status,
        outcome: spec.outcome ?? null,
        closed_at: closedAt,
        retention_until: retentionUntil,
        attempt_count: attempts.length,
        last_attempt_at: last?.at ?? null,
        reached_at: reached?.at ?? null,
        escalated_at: spec.escalation ? (reached?.at ?? last?.at ?? received) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    contacts[key] = contact.id;
    await db
      .insertInto('contact_identities')
      .values({ contact_id: contact.id, person_hash: person, data: sealIdentity(keys, person, { lastName, firstName: 'An', mobile }) })
      .execute();

    const attemptIds: string[] = [];
    for (const a of attempts) {
      const row = await db
        .insertInto('attempts')
        .values({
          contact_id: contact.id,
          programme_id: programmeId,
          attempt_no: a.no,
          caller_id: null,
          at: a.at,
          local_day: localDay(a.at),
          part_of_day: partOfDay(a.at),
          channel: a.channel,
          outcome: a.outcome,
          note: keys.seal(`Attempt ${a.no}: ${lastName}`, outreachContext('attempts.note', person)),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      attemptIds.push(row.id);
    }
    let conversationId: string | null = null;
    for (const status of spec.conversations ?? []) {
      const started = reached?.at ?? received;
      const row = await db
        .insertInto('conversations')
        .values({
          contact_id: contact.id,
          programme_id: programmeId,
          attempt_id: reached ? (attemptIds[reached.no - 1] ?? null) : null,
          scenario_id: scenario.id,
          caller_id: null,
          status,
          answers: JSON.stringify({}),
          free_text: keys.seal(JSON.stringify({ wellbeing: `${lastName} is doing better` }), outreachContext('conversations.free_text', person)),
          started_at: started,
          ended_at: status === 'in_progress' ? null : new Date(started.getTime() + 20 * 60_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      conversationId = row.id;
    }
    for (const [kind, status] of spec.referrals ?? []) {
      const at = new Date((reached?.at ?? received).getTime() + 30 * 60_000);
      await db
        .insertInto('service_referrals')
        .values({
          contact_id: contact.id,
          programme_id: programmeId,
          conversation_id: conversationId,
          service_id: services[kind as keyof FunnelWorld['services']],
          service_kind: kind,
          status,
          proposed_at: at,
          accepted_at: status === 'accepted' || status === 'taken_up' ? at : null,
          taken_up_at: status === 'taken_up' ? at : null,
          declined_at: status === 'declined' ? at : null,
          created_by: null,
        })
        .execute();
    }
    if (spec.escalation) {
      await db
        .insertInto('escalations')
        .values({
          contact_id: contact.id,
          programme_id: programmeId,
          conversation_id: conversationId,
          raised_by: null,
          raised_at: reached?.at ?? last?.at ?? received,
          recipient: 'veilig_huis',
          urgency: 'today',
          colour: 'orange',
          reasons: ['caller_judgment'],
          note: keys.seal(`Worried about ${lastName}`, outreachContext('escalations.note', person)),
        })
        .execute();
    }
  }
  return {
    programmeId,
    projectId,
    slug: programme.slug,
    contacts,
    services,
    afterRetention: new Date(latestRetention + 86_400_000),
    plaintexts,
  };
}
