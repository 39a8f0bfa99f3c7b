/**
 * The demo's outreach history (issue 4, part 9): `haven demo` gives the demo outreach programme
 * (hoe-gaat-het-outreach) about ten months of work, so that a newcomer sees a living worklist, a
 * directory of services and a funnel with every line filled.
 *
 * The contacts come in as real ones do: police zone Carma's green dossiers, sent every week lately
 * and every fortnight before, each batch a synthetic export (referrals/generate.ts: invented
 * Flemish, Turkish, Moroccan, Italian… names, every spelling of a phone number, a few orange or
 * red dossiers and bad rows) imported through the referrals import (start, stage, commit) under
 * the demo's Carma protocol, so names and numbers are sealed in the vault like real ones. The
 * import is then dated back to the day the batch came in.
 *
 * Then the callers' work is played forward from each contact's arrival to now with a seeded
 * generator: phone attempts on different working days and parts of the day (the programme's
 * rule), someone else answering, numbers not in service, unreachable after three attempts, a
 * letter now and then; reached people with the "How are you?" conversation under the current
 * scenario (refused, or held with answers), referrals to the project's services (proposed,
 * accepted, taken up, declined) and follow-up calls, some already due; two escalations (one
 * acknowledged, one open). Part of the open contacts is assigned to the demo callers.
 *
 * The history lies in the past, which the module's own functions refuse (an attempt is recorded
 * today, a contact closes now), so its rows are written directly, keeping what those functions
 * keep: attempt numbers in order over all channels, the Brussels day and part of the day of each
 * attempt, the rule's distinct days and parts before the person is reached, reached_at from the
 * first reached attempt, next_due_at as recordAttempt proposes it, closing outcomes only where
 * closingRefusal allows them, retention_until = closed_at + the protocol's retention days. The
 * services are created with createService. Counting a contact's numbers after a number that is
 * not in service opens its identity, audited as recordAttempt does; one audit event records the
 * history as a whole.
 *
 * Deterministic for a seed and a moment `now`; idempotent (a batch already imported is not
 * imported again, and the history is played only once); a second or two on PGlite.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type AuditActor, type AuditEvent, appendAudit, SYSTEM_ACTOR } from '../../kernel/audit/audit.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { encodeCsvRow } from '../../kernel/spreadsheet/csv.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { IMPORT_FIELDS } from '../referrals/fields.ts';
import { POLICE_HEADERS, policeRecords } from '../referrals/generate.ts';
import { commitImport, stageFile, startImport } from '../referrals/imports.ts';
import { readContactIdentity } from '../referrals/vault.ts';
import { UNUSABLE_NUMBER } from './attempts.ts';
import { colourOf } from './escalations.ts';
import { addDays, brusselsTime, CALL_WINDOWS, type EarlierAttempt, exhausted, localDay, nextDue, partOfDay } from './rules.ts';
import { checkAnswers, currentScenario, ensureDefaultScenario, escalationsIn, scenarioDefinition } from './scenarios.ts';
import type { AttemptChannel, AttemptOutcome, ContactOutcome, EscalationReason, PartOfDay, ReferralStatus, ServiceKind } from './schema.ts';
import { outreachContext } from './sealed.ts';
import { createService, type ServiceInput } from './services.ts';
import { closingRefusal, readSettings } from './worklist.ts';

export const DEMO_OUTREACH_PROGRAMME = 'hoe-gaat-het-outreach';
/** The file name of every demo batch starts so; the day it came in follows. */
export const DEMO_FILE_PREFIX = 'carma-groene-dossiers-';
const DEMO_ACTOR: AuditActor = { ...SYSTEM_ACTOR, role: 'demo' };

/** Weekly batches lately (bigger, as the project became known), fortnightly before: about ten months. */
const WEEKLY = 10;
const FORTNIGHTLY = 17;
const ROWS_WEEKLY = 16;
const ROWS_FORTNIGHTLY = 11;

/** Where each contact stands once the history is played. */
export const DEMO_STATES = [
  'new',
  'in_progress',
  'reached_pending',
  'follow_up_due',
  'follow_up_scheduled',
  'not_informed',
  'unreachable',
  'letter_sent',
  'refused',
  'conversation',
  'escalated',
  'out_of_flow',
] as const;
export type DemoState = (typeof DEMO_STATES)[number];

export interface OutreachDemoSummary {
  imports: number;
  contacts: number;
  attempts: number;
  conversations: number;
  referrals: Record<ReferralStatus, number>;
  escalations: number;
  services: number;
  states: Record<DemoState, number>;
  /** open contacts assigned to each demo caller, by e-mail */
  assigned: Record<string, number>;
}

// ---- A seeded generator --------------------------------------------------------------------

/** mulberry32, as the export generator uses: small, fast and seedable. */
class Dice {
  #a: number;
  constructor(seed: number) {
    this.#a = seed >>> 0;
  }
  next(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }
  weighted<T>(list: readonly (readonly [T, number])[]): T {
    const total = list.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of list) {
      r -= w;
      if (r < 0) return value;
    }
    return (list[list.length - 1] as readonly [T, number])[0];
  }
}

// ---- Days and hours in Brussels ----------------------------------------------------------------

const MINUTE = 60_000;
const DAY = 86_400_000;

const weekday = (day: string) => new Date(`${day}T12:00:00Z`).getUTCDay();
const isWeekend = (day: string) => weekday(day) === 0 || weekday(day) === 6;

/** The working day `n` days after `day` (moved on past a weekend). */
function workdayAfter(day: string, n: number): string {
  let d = addDays(day, n);
  while (isWeekend(d)) d = addDays(d, 1);
  return d;
}

function workdayOnOrBefore(day: string): string {
  let d = day;
  while (isWeekend(d)) d = addDays(d, -1);
  return d;
}

/** A moment inside the calling window of a part of the day, at least 20 minutes before its end. */
function slot(dice: Dice, day: string, part: PartOfDay): Date {
  const [from, to] = CALL_WINDOWS[part];
  const start = brusselsTime(day, from).getTime();
  const end = brusselsTime(day, to).getTime() - 20 * MINUTE;
  return new Date(start + dice.int(0, Math.floor((end - start) / MINUTE)) * MINUTE);
}

const dmy = (day: string) => day.split('-').reverse().join('/');

// ---- The batches -----------------------------------------------------------------------------

/** The Carma headers mapped to Haven's fields, as a coordinator saves them. */
const MAPPING = Object.fromEntries(IMPORT_FIELDS.map((field, i) => [field, POLICE_HEADERS.nl[i] as string]));

interface Batch {
  day: string;
  rows: number;
  at: Date;
  fileName: string;
}

/** The days the batches came in, oldest first: fortnightly, then weekly up to yesterday. */
function batches(dice: Dice, now: Date): Batch[] {
  const yesterday = addDays(localDay(now), -1);
  const days: string[] = [];
  for (let i = 0; i < WEEKLY; i++) days.push(workdayOnOrBefore(addDays(yesterday, -7 * i)));
  const lastWeekly = addDays(yesterday, -7 * (WEEKLY - 1));
  for (let i = 1; i <= FORTNIGHTLY; i++) days.push(workdayOnOrBefore(addDays(lastWeekly, -14 * i)));
  return days.reverse().map((day, i) => {
    const at = new Date(brusselsTime(day, 9).getTime() + dice.int(0, 120) * MINUTE);
    return { day, rows: i < FORTNIGHTLY ? ROWS_FORTNIGHTLY : ROWS_WEEKLY, at, fileName: `${DEMO_FILE_PREFIX}${day}.csv` };
  });
}

/**
 * One batch as Carma exports it: the generator's rows, with PV numbers of this project's own
 * numbering (never those of the sample export), facts a few days before the batch and the
 * registration a day or two after them. Rows of one PV share them, as in a real export.
 */
export function batchCsv(seed: number, index: number, day: string, rows: number): string {
  const dice = new Dice(seed * 7_919 + index);
  const perPv = new Map<string, string[]>();
  let dossier = 0;
  const lines: string[] = [];
  let header = true;
  for (const cells of policeRecords({ rows, lang: 'nl', seed: seed * 1_000 + index })) {
    if (header) {
      lines.push(`\uFEFF${encodeCsvRow(cells, ';')}`);
      header = false;
      continue;
    }
    const row = [...cells];
    const pv = row[0] ?? '';
    if (pv) {
      let known = perPv.get(pv);
      if (!known) {
        const facts = addDays(day, -dice.int(2, 12));
        const registered = addDays(facts, dice.int(0, 2));
        // A permutation of 0..999999 (7919 is prime to 10^6) from a start far from the sample's.
        const digits = String((424_242 + (index * 100 + dossier++) * 7_919) % 1_000_000).padStart(6, '0');
        known = [`HA.55.L7.${digits}/${facts.slice(0, 4)}`, dmy(facts), dmy(registered)];
        perPv.set(pv, known);
      }
      [row[0], row[1], row[2]] = known as [string, string, string];
    }
    lines.push(encodeCsvRow(row, ';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Imports the batches not imported yet, each dated back to its day. Returns how many it imported. */
async function importBatches(
  db: Db,
  keys: KeyRing,
  q: { programmeId: string; carmaId: string; policeUserId: string | null; coordinatorId: string | null; seed: number; list: Batch[] },
): Promise<number> {
  const done = new Set(
    (
      await db
        .selectFrom('imports')
        .select('file_name')
        .where('programme_id', '=', q.programmeId)
        .where('status', '=', 'committed')
        .where('file_name', 'like', `${DEMO_FILE_PREFIX}%`)
        .execute()
    ).map((r) => r.file_name),
  );
  const deps = { db, keys, actor: DEMO_ACTOR };
  let imported = 0;
  for (const [index, batch] of q.list.entries()) {
    if (done.has(batch.fileName)) continue;
    const bytes = Buffer.from(batchCsv(q.seed, index, batch.day, batch.rows), 'utf8');
    const started = await startImport(deps, {
      programmeId: q.programmeId,
      senderOrganisationId: q.carmaId,
      fileName: batch.fileName,
      columns: MAPPING,
      uploadedBy: q.policeUserId,
    });
    await stageFile(deps, started.importId, oneChunk(bytes), {
      fileSize: () => bytes.length,
      sha256: () => createHash('sha256').update(bytes).digest('hex'),
    });
    await commitImport(deps, started.importId, q.coordinatorId);
    const at = batch.at;
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('imports')
        .set({ created_at: new Date(at.getTime() - 25 * MINUTE), previewed_at: new Date(at.getTime() - 20 * MINUTE), committed_at: at })
        .where('id', '=', started.importId)
        .execute();
      await tx.updateTable('dossiers').set({ received_at: at }).where('import_id', '=', started.importId).execute();
      await tx
        .updateTable('contacts')
        .set({ received_at: at })
        .where('dossier_id', 'in', (eb) => eb.selectFrom('dossiers').select('id').where('import_id', '=', started.importId))
        .execute();
    });
    imported++;
  }
  return imported;
}

// ---- The directory of services -----------------------------------------------------------------

interface DemoService {
  name: string;
  kind: ServiceKind;
  org?: string;
  /** municipalities by name; none: the whole project */
  places?: string[];
  languages: string[];
  description: string;
}

const SERVICES: DemoService[] = [
  {
    name: 'CAW Limburg – onthaal Genk',
    kind: 'caw',
    org: 'CAW Limburg',
    languages: ['nl', 'fr', 'en', 'tr', 'ar'],
    description: 'Gratis en vertrouwelijk onthaal voor wie met geweld thuis te maken heeft; begeleiding, ook in het Turks en Arabisch (met tolk).',
  },
  {
    name: 'CAW Limburg – onthaal Noord-Limburg (Bree)',
    kind: 'caw',
    org: 'CAW Limburg',
    places: ['Bree', 'Bocholt', 'Kinrooi', 'Oudsbergen'],
    languages: ['nl', 'en'],
    description: 'Onthaal en begeleiding in Bree, met zitdagen in Bocholt, Kinrooi en Oudsbergen.',
  },
  {
    name: 'Lotgenotengroep partnergeweld',
    kind: 'peer_group',
    org: 'CAW Limburg',
    languages: ['nl'],
    description: 'Zes bijeenkomsten met mensen die hetzelfde meemaken, onder begeleiding; intake vooraf.',
  },
  {
    name: 'Lotgenotengroep ouderenmis(be)handeling',
    kind: 'peer_group',
    org: 'CAW Limburg',
    languages: ['nl'],
    description: 'Groep voor ouderen en mantelzorgers die spanning of geweld in het gezin ervaren.',
  },
  {
    name: 'Veilig Huis Limburg',
    kind: 'veilig_huis',
    org: 'Veilig Huis Limburg',
    languages: ['nl', 'fr', 'en'],
    description: 'Advies en ketenaanpak bij ernstig of herhaald geweld; ook voor professionals.',
  },
  {
    name: 'Eigen huisarts (via de huisartsenkring)',
    kind: 'gp',
    languages: [],
    description: 'De eigen huisarts, of een huisarts van de kring voor wie er geen heeft.',
  },
  {
    name: 'JAC Genk',
    kind: 'jac',
    org: 'CAW Limburg',
    places: ['Genk', 'As', 'Zutendaal'],
    languages: ['nl', 'en', 'tr'],
    description: 'Jongerenonthaal van het CAW: steun voor kinderen en jongeren die geweld thuis meemaken.',
  },
  {
    name: 'Sociaal Huis Genk (OCMW)',
    kind: 'ocmw_cpas',
    places: ['Genk'],
    languages: ['nl', 'fr', 'tr'],
    description: 'Huisvesting, leefloon, budgetbegeleiding.',
  },
  {
    name: 'OCMW Houthalen-Helchteren',
    kind: 'ocmw_cpas',
    places: ['Houthalen-Helchteren'],
    languages: ['nl'],
    description: 'Huisvesting, leefloon, budgetbegeleiding.',
  },
  {
    name: 'Bureau voor Juridische Bijstand Limburg',
    kind: 'lawyer',
    languages: ['nl', 'fr'],
    description: 'Eerste juridisch advies en pro-Deoadvocaten.',
  },
  {
    name: 'Politiezone Carma – slachtofferbejegening',
    kind: 'police',
    org: 'Politiezone Carma',
    languages: ['nl', 'fr', 'en'],
    description: 'Informatie over de klacht en de procedure, doorverwijzing naar slachtofferhulp.',
  },
  {
    name: 'CGG – volwassenenzorg',
    kind: 'mental_health',
    languages: ['nl', 'en'],
    description: 'Centrum voor geestelijke gezondheidszorg: therapie na ingrijpende gebeurtenissen.',
  },
  {
    name: 'CAW Limburg – daderhulp',
    kind: 'perpetrator_training',
    org: 'CAW Limburg',
    languages: ['nl'],
    description: 'Vrijwillige begeleiding en groepstraining voor wie geweld gebruikt en wil veranderen.',
  },
];

interface ServiceRef {
  id: string;
  kind: ServiceKind;
  nisCodes: string[];
  languages: string[];
}

async function ensureServices(tx: Tx, audit: (e: AuditEvent) => void, q: { programmeId: string; projectId: string }): Promise<ServiceRef[]> {
  const places = new Map(
    (await tx.selectFrom('project_municipalities').select(['name', 'nis_code']).where('project_id', '=', q.projectId).execute()).map((m) => [
      m.name,
      m.nis_code,
    ]),
  );
  const orgs = new Map((await tx.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.name, o.id]));
  const existing = new Set((await tx.selectFrom('services').select('name').where('project_id', '=', q.projectId).execute()).map((s) => s.name));
  for (const s of SERVICES) {
    if (existing.has(s.name)) continue;
    const input: ServiceInput = {
      organisationId: (s.org && orgs.get(s.org)) || null,
      name: s.name,
      kind: s.kind,
      nisCodes: (s.places ?? []).flatMap((p) => places.get(p) ?? []),
      languages: s.languages,
      phone: null,
      email: null,
      website: null,
      description: s.description,
      active: true,
    };
    await createService(tx, audit, { programmeId: q.programmeId, projectId: q.projectId, input });
  }
  const rows = await tx
    .selectFrom('services')
    .select(['id', 'kind', 'nis_codes', 'languages', 'name'])
    .where('project_id', '=', q.projectId)
    .where('active', '=', true)
    .execute();
  // In the order of SERVICES, the ones the demo made first.
  const order = new Map(SERVICES.map((s, i) => [s.name, i]));
  return rows
    .sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99) || a.name.localeCompare(b.name))
    .map((r) => ({ id: r.id, kind: r.kind, nisCodes: r.nis_codes, languages: r.languages }));
}

// ---- Playing the history -------------------------------------------------------------------------

interface DemoContact {
  id: string;
  dossier_id: string;
  person_hash: string;
  has_phone: boolean;
  language: string | null;
  nis_code: string | null;
  colour: string;
  received_at: Date;
}

interface AttemptRow {
  id: string;
  contact_id: string;
  attempt_no: number;
  caller_id: string | null;
  at: Date;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  note: string | null;
}

interface ConversationRow {
  id: string;
  contact_id: string;
  attempt_id: string;
  caller_id: string | null;
  status: 'held' | 'refused';
  answers: Record<string, boolean | number | string>;
  free_text: string | null;
  started_at: Date;
  ended_at: Date;
}

interface ReferralRow {
  contact_id: string;
  conversation_id: string;
  service: ServiceRef;
  status: ReferralStatus;
  proposed_at: Date;
  accepted_at: Date | null;
  taken_up_at: Date | null;
  declined_at: Date | null;
  created_by: string | null;
}

interface EscalationRow {
  contact_id: string;
  conversation_id: string;
  raised_by: string | null;
  raised_at: Date;
  recipient: 'veilig_huis' | 'case_consultation' | 'police';
  urgency: 'immediate' | 'today' | 'this_week';
  colour: 'orange' | 'red';
  reasons: EscalationReason[];
  note: string | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

interface Story {
  contact: DemoContact;
  state: DemoState;
  owner: string | null;
  attempts: AttemptRow[];
  conversation: ConversationRow | null;
  referrals: ReferralRow[];
  reachedAt: Date | null;
  nextDueAt: Date | null;
  followUpAt: Date | null;
  closed: { outcome: ContactOutcome; at: Date; by: string | null } | null;
  safety: { someoneElse: boolean; safeParts: PartOfDay[]; text: { safeHours?: string; notes?: string } | null } | null;
}

const FAILED: readonly (readonly [AttemptOutcome, number])[] = [
  ['no_answer', 52],
  ['voicemail_not_left', 20],
  ['voicemail_neutral', 8],
  ['busy', 9],
  ['someone_else', 5],
  ['not_in_service', 4],
  ['wrong_person', 2],
];
/** Chance that phone attempt n (before the person is reached) reaches them. */
const REACH = [0.22, 0.18, 0.15];

const WELLBEING_NOTES = [
  'Het gaat stilaan beter; slaapt nog slecht.',
  'Veel spanning rond de scheiding en de kinderen.',
  'Rustiger sinds de interventie, maar onzeker over de toekomst.',
  'Voelt zich alleen; weinig mensen om op terug te vallen.',
  'Zorgen over geld en huisvesting.',
];
const SAFE_HOURS = ['Na 18 u, als de kinderen slapen.', 'Tijdens de werkuren, partner werkt dan.', 'Enkel in de voormiddag.'];

interface People {
  coordinator: string | null;
  callers: string[];
}

/**
 * Plays one contact's outreach from its arrival to `now`. `numbers` counts the contact's phone
 * numbers (opening its identity, audited), asked only after a number was found unusable.
 */
async function play(
  dice: Dice,
  c: DemoContact,
  q: { now: Date; rule: { maxAttempts: number; distinctDays: boolean; distinctParts: boolean }; people: People; services: ServiceRef[] },
  numbers: () => Promise<number>,
  answersOk: (answers: Record<string, boolean | number | string>) => void,
  seal: (column: 'attempts.note' | 'conversations.free_text', text: string) => string,
): Promise<Story> {
  const { now, people } = q;
  const ownerRoll = dice.next();
  const owner = ownerRoll < 0.3 ? (people.callers[0] ?? null) : ownerRoll < 0.5 ? (people.callers[1] ?? null) : null;
  const worker = () => owner ?? dice.pick([...people.callers, people.coordinator].filter((u): u is string => u !== null));
  const story: Story = {
    contact: c,
    state: 'new',
    owner,
    attempts: [],
    conversation: null,
    referrals: [],
    reachedAt: null,
    nextDueAt: null,
    followUpAt: null,
    closed: null,
    safety: null,
  };
  if (c.colour !== 'green') {
    story.state = 'out_of_flow';
    story.owner = null;
    return story;
  }
  const received = localDay(c.received_at);
  const addAttempt = (at: Date, channel: AttemptChannel, outcome: AttemptOutcome, note: string | null = null): AttemptRow => {
    const row: AttemptRow = {
      id: randomUUID(),
      contact_id: c.id,
      attempt_no: story.attempts.length + 1,
      caller_id: worker(),
      at,
      channel,
      outcome,
      note: note ? seal('attempts.note', note) : null,
    };
    story.attempts.push(row);
    return row;
  };
  const close = (outcome: ContactOutcome, at: Date, state: DemoState, by: string | null) => {
    story.closed = { outcome, at, by };
    story.state = state;
    story.nextDueAt = null;
    story.followUpAt = null;
  };

  if (!c.has_phone) {
    // No number at all: the coordinator closes it as not informed a few days after it came in.
    const at = slot(dice, workdayAfter(received, dice.int(1, 3)), dice.pick(['morning', 'afternoon'] as const));
    if (at.getTime() <= now.getTime() && dice.chance(0.9)) close('not_informed', at, 'not_informed', people.coordinator);
    return story;
  }

  // Phone attempts until reached, unusable, unreachable, or not yet.
  const earlier: EarlierAttempt[] = [];
  let unusable = 0;
  let day = received;
  // Callers are a few days behind: the first call comes 1–5 working days after the batch.
  let lag = dice.int(1, 5);
  let reachedWith: AttemptRow | null = null;
  for (;;) {
    day = workdayAfter(day, lag);
    const used = new Set(earlier.map((e) => e.partOfDay));
    const parts = (['afternoon', 'evening', 'morning'] as const).filter((p) => !q.rule.distinctParts || !used.has(p));
    const at = slot(dice, day, dice.weighted(parts.map((p) => [p, p === 'afternoon' ? 45 : p === 'evening' ? 35 : 20] as const)));
    const last = story.attempts.at(-1);
    if (at.getTime() > now.getTime()) {
      if (last) {
        story.state = 'in_progress';
        story.nextDueAt = nextDue(earlier, q.rule, last.at)?.at ?? null;
      }
      return story;
    }
    const n = earlier.length;
    const outcome: AttemptOutcome = dice.chance(REACH[n] ?? 0.15) ? 'reached' : dice.weighted(FAILED);
    const note = outcome === 'someone_else' ? 'Iemand anders nam op; vriendelijk afgesloten zonder reden te noemen.' : null;
    const row = addAttempt(at, 'phone', outcome, note);
    earlier.push({ localDay: localDay(at), partOfDay: partOfDay(at) });
    if (outcome === 'reached') {
      reachedWith = row;
      break;
    }
    if (outcome === 'someone_else') story.safety = { someoneElse: true, safeParts: [], text: null };
    if (UNUSABLE_NUMBER.includes(outcome)) {
      unusable++;
      if ((await numbers()) - unusable <= 0) {
        close('not_informed', at, 'not_informed', row.caller_id);
        return story;
      }
    }
    if (exhausted(earlier, q.rule)) {
      close('unreachable', at, 'unreachable', row.caller_id);
      return story;
    }
    if (earlier.length === 2 && dice.chance(0.02)) {
      // A letter that does not name the service, then the contact is closed as such.
      const letterAt = slot(dice, workdayAfter(day, 1), 'morning');
      if (letterAt.getTime() <= now.getTime()) {
        const letter = addAttempt(letterAt, 'letter', 'sent');
        close('letter_sent', new Date(letterAt.getTime() + 5 * MINUTE), 'letter_sent', letter.caller_id);
        return story;
      }
    }
    lag = dice.int(2, 7);
  }

  // Reached.
  story.reachedAt = reachedWith.at;
  story.state = 'reached_pending';
  let callAt = reachedWith.at;
  let call = reachedWith;
  if (dice.chance(0.07)) {
    // Not a good moment: a call back in the evening, when it is safe.
    story.safety = { someoneElse: story.safety?.someoneElse ?? false, safeParts: ['evening'], text: { safeHours: dice.pick(SAFE_HOURS) } };
    const back = slot(dice, workdayAfter(localDay(callAt), dice.int(1, 2)), 'evening');
    if (back.getTime() > now.getTime() || (now.getTime() - back.getTime() < 3 * DAY && dice.chance(0.5))) {
      story.followUpAt = back;
      story.nextDueAt = back;
      story.state = back.getTime() > now.getTime() ? 'follow_up_scheduled' : 'follow_up_due';
      return story;
    }
    call = addAttempt(back, 'phone', 'reached');
    callAt = back;
  }
  const started = new Date(callAt.getTime() + MINUTE);
  const ended = new Date(started.getTime() + dice.int(8, 35) * MINUTE);
  if (ended.getTime() > now.getTime()) return story;
  const caller = call.caller_id;
  const conversation: ConversationRow = {
    id: randomUUID(),
    contact_id: c.id,
    attempt_id: call.id,
    caller_id: caller,
    status: 'held',
    answers: {},
    free_text: null,
    started_at: started,
    ended_at: ended,
  };
  story.conversation = conversation;
  if (dice.chance(0.08)) {
    conversation.status = 'refused';
    close('refused', ended, 'refused', caller);
    return story;
  }
  const answers = heldAnswers(dice);
  answersOk(answers);
  conversation.answers = answers;
  if (dice.chance(0.45)) conversation.free_text = seal('conversations.free_text', JSON.stringify({ 'wellbeing-notes': dice.pick(WELLBEING_NOTES) }));

  // Referrals, as the person chose.
  if (answers['referral-wanted'] === 'yes') {
    const kinds = kindsFor(dice, String(answers['what-would-help']));
    for (const kind of kinds) {
      const service = serviceFor(q.services, kind, c);
      if (service) story.referrals.push(moveReferral(dice, { contact_id: c.id, conversation_id: conversation.id, service, created_by: caller }, ended, now));
    }
  }
  const wantsFollowUp = answers['follow-up-ok'] === true && (story.referrals.length > 0 || answers['referral-wanted'] === 'later' || dice.chance(0.3));
  if (!wantsFollowUp) {
    close('conversation', ended, 'conversation', caller);
    return story;
  }
  const followUp = slot(dice, workdayAfter(localDay(ended), dice.int(10, 16)), dice.pick(['afternoon', 'evening'] as const));
  if (followUp.getTime() > now.getTime() || (now.getTime() - followUp.getTime() < 10 * DAY && dice.chance(0.6))) {
    story.followUpAt = followUp;
    story.nextDueAt = followUp;
    story.state = followUp.getTime() > now.getTime() ? 'follow_up_scheduled' : 'follow_up_due';
    return story;
  }
  const followed = addAttempt(followUp, 'phone', 'reached');
  close('conversation', new Date(followUp.getTime() + dice.int(6, 15) * MINUTE), 'conversation', followed.caller_id);
  return story;
}

/** Structured answers to the default scenario, none of them a marked (escalating) answer. */
function heldAnswers(dice: Dice): Record<string, boolean | number | string> {
  const help = dice.weighted([
    ['talk', 34],
    ['practical', 14],
    ['peer-group', 12],
    ['help-other-party', 9],
    ['children-support', 8],
    ['nothing-now', 23],
  ] as const);
  const children = dice.chance(0.55);
  return {
    'how-are-you': dice.weighted([
      [1, 6],
      [2, 22],
      [3, 36],
      [4, 27],
      [5, 9],
    ] as const),
    'can-talk': true,
    'since-intervention': dice.weighted([
      ['better', 40],
      ['same', 25],
      ['worse', 12],
      ['separated', 23],
    ] as const),
    'feels-safe': dice.weighted([
      [2, 10],
      [3, 30],
      [4, 40],
      [5, 20],
    ] as const),
    threats: false,
    strangulation: false,
    weapons: false,
    'fear-for-life': false,
    'children-at-home': children,
    ...(children
      ? {
          'children-witness': dice.weighted([
            ['no', 50],
            ['yes', 30],
            ['unsure', 20],
          ] as const),
          'children-in-danger': false,
        }
      : {}),
    'what-would-help': help,
    'referral-wanted':
      help === 'nothing-now'
        ? dice.weighted([
            ['no', 80],
            ['later', 20],
          ] as const)
        : dice.weighted([
            ['yes', 72],
            ['later', 16],
            ['no', 12],
          ] as const),
    'follow-up-ok': dice.chance(0.75),
  };
}

function kindsFor(dice: Dice, help: string): ServiceKind[] {
  const first: ServiceKind =
    help === 'talk'
      ? dice.weighted([
          ['caw', 70],
          ['mental_health', 20],
          ['gp', 10],
        ] as const)
      : help === 'practical'
        ? dice.weighted([
            ['ocmw_cpas', 60],
            ['caw', 25],
            ['lawyer', 15],
          ] as const)
        : help === 'peer-group'
          ? 'peer_group'
          : help === 'help-other-party'
            ? 'perpetrator_training'
            : help === 'children-support'
              ? dice.weighted([
                  ['jac', 60],
                  ['caw', 40],
                ] as const)
              : 'caw';
  return dice.chance(0.15) && first !== 'gp' ? [first, 'gp'] : [first];
}

/** The first service of the kind that serves the contact's municipality and language, else any of the kind. */
function serviceFor(services: ServiceRef[], kind: ServiceKind, c: DemoContact): ServiceRef | undefined {
  const ofKind = services.filter((s) => s.kind === kind);
  const fits = (s: ServiceRef) =>
    (s.nisCodes.length === 0 || (c.nis_code !== null && s.nisCodes.includes(c.nis_code))) &&
    (s.languages.length === 0 || c.language === null || s.languages.includes(c.language));
  return ofKind.find(fits) ?? ofKind.find((s) => s.nisCodes.length === 0) ?? ofKind[0];
}

/** A referral proposed at the end of the conversation, moved on as people answer, never past `now`. */
function moveReferral(dice: Dice, r: Pick<ReferralRow, 'contact_id' | 'conversation_id' | 'service' | 'created_by'>, at: Date, now: Date): ReferralRow {
  const row: ReferralRow = { ...r, status: 'proposed', proposed_at: at, accepted_at: null, taken_up_at: null, declined_at: null };
  const by = (days: number) => new Date(at.getTime() + days * DAY + dice.int(0, 300) * MINUTE);
  let accepted: Date | null = dice.chance(0.55) ? at : null;
  if (!accepted) {
    const roll = dice.next();
    const when = by(dice.int(2, 7));
    if (when.getTime() > now.getTime() || roll >= 0.85) return row;
    if (roll < 0.6) accepted = when;
    else return { ...row, status: 'declined', declined_at: when };
  }
  row.status = 'accepted';
  row.accepted_at = accepted;
  const roll = dice.next();
  const when = new Date(accepted.getTime() + dice.int(7, 21) * DAY);
  if (when.getTime() > now.getTime() || roll >= 0.8) return row;
  if (roll < 0.7) return { ...row, status: 'taken_up', taken_up_at: when };
  return { ...row, status: 'declined', declined_at: when };
}

/**
 * Keeps the worklist alive whatever the day: at least one follow-up call due and one scheduled.
 * The latest follow-up call that was made becomes one still due; the latest conversation closed
 * without one gets one scheduled in a few days.
 */
function keepFollowUps(stories: Story[], dice: Dice, now: Date): void {
  if (!stories.some((s) => s.state === 'follow_up_due')) {
    const made = stories
      .filter((s) => s.state === 'conversation' && s.conversation && (s.attempts.at(-1)?.at.getTime() ?? 0) > s.conversation.ended_at.getTime())
      .sort((a, b) => (b.attempts.at(-1)?.at.getTime() ?? 0) - (a.attempts.at(-1)?.at.getTime() ?? 0))[0];
    if (made) {
      const call = made.attempts.pop() as AttemptRow;
      made.closed = null;
      made.state = 'follow_up_due';
      made.followUpAt = call.at;
      made.nextDueAt = call.at;
    }
  }
  if (!stories.some((s) => s.state === 'follow_up_scheduled')) {
    const latest = latestPlainConversation(stories);
    if (latest) {
      const at = slot(dice, workdayAfter(localDay(now), dice.int(2, 5)), 'afternoon');
      latest.closed = null;
      latest.state = 'follow_up_scheduled';
      latest.followUpAt = at;
      latest.nextDueAt = at;
    }
  }
}

/** Conversations held and closed at their end, without referral or follow-up: candidates for an escalation. */
function plainConversations(stories: Story[]): Story[] {
  return stories
    .filter((s) => s.state === 'conversation' && s.conversation && s.referrals.length === 0 && s.closed?.at.getTime() === s.conversation.ended_at.getTime())
    .sort((a, b) => (a.conversation?.ended_at.getTime() ?? 0) - (b.conversation?.ended_at.getTime() ?? 0));
}
const latestPlainConversation = (stories: Story[]) => plainConversations(stories).at(-1);

/**
 * Two escalations: three weeks ago, the answers to the fear-for-life and threats questions raised
 * one at once (red, to Veilig Huis, acknowledged by the coordinator within the hour); the latest
 * conversation, the caller's own judgment (orange, to the case consultation, still open).
 */
function escalate(
  stories: Story[],
  q: { now: Date; coordinator: string | null },
  seal: (s: Story, text: string) => string,
  answersOk: (a: Record<string, boolean | number | string>) => EscalationReason[],
): EscalationRow[] {
  const candidates = plainConversations(stories);
  const open = candidates.at(-1);
  const target = q.now.getTime() - 21 * DAY;
  const acknowledged = candidates
    .filter((s) => s !== open)
    .sort((a, b) => Math.abs((a.conversation?.ended_at.getTime() ?? 0) - target) - Math.abs((b.conversation?.ended_at.getTime() ?? 0) - target))[0];
  const rows: EscalationRow[] = [];
  for (const [s, automatic] of [
    [acknowledged, true],
    [open, false],
  ] as const) {
    if (!s?.conversation) continue;
    const conv = s.conversation;
    const raisedAt = new Date(conv.started_at.getTime() + Math.floor((conv.ended_at.getTime() - conv.started_at.getTime()) / 2));
    let reasons: EscalationReason[] = ['caller_judgment'];
    if (automatic) {
      conv.answers = { ...conv.answers, threats: true, 'fear-for-life': true, 'feels-safe': 1 };
      reasons = answersOk(conv.answers);
    }
    s.state = 'escalated';
    s.closed = { outcome: 'escalated', at: raisedAt, by: conv.caller_id };
    rows.push({
      contact_id: s.contact.id,
      conversation_id: conv.id,
      raised_by: conv.caller_id,
      raised_at: raisedAt,
      recipient: automatic ? 'veilig_huis' : 'case_consultation',
      urgency: automatic ? 'today' : 'this_week',
      colour: colourOf(reasons),
      reasons,
      note: automatic ? null : seal(s, 'Twijfel over de veiligheid van de kinderen; bespreken op het casusoverleg.'),
      acknowledged_at: automatic ? new Date(raisedAt.getTime() + 40 * MINUTE) : null,
      acknowledged_by: automatic ? q.coordinator : null,
    });
  }
  return rows;
}

// ---- Loading it ------------------------------------------------------------------------------------

async function userId(db: Db, email: string): Promise<string | null> {
  return (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id ?? null;
}

/**
 * Adds the outreach history to the demo programme. Null when there is no demo programme, or when
 * its history was played already.
 */
export async function loadOutreachDemo(db: Db, keys: KeyRing, opts: { now?: Date; seed?: number } = {}): Promise<OutreachDemoSummary | null> {
  const now = opts.now ?? new Date();
  const seed = opts.seed ?? 2026;
  const programme = await db.selectFrom('programmes').select(['id', 'project_id']).where('slug', '=', DEMO_OUTREACH_PROGRAMME).executeTakeFirst();
  if (!programme) return null;
  const played = await db
    .selectFrom('attempts as a')
    .innerJoin('contacts as c', 'c.id', 'a.contact_id')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .innerJoin('imports as i', 'i.id', 'd.import_id')
    .select('a.id')
    .where('a.programme_id', '=', programme.id)
    .where('i.file_name', 'like', `${DEMO_FILE_PREFIX}%`)
    .limit(1)
    .executeTakeFirst();
  if (played) return null;

  const carma = await db.selectFrom('organisations').select('id').where('name', '=', 'Politiezone Carma').where('kind', '=', 'police_zone').executeTakeFirst();
  const protocol = carma
    ? await db
        .selectFrom('protocols')
        .select(['id', 'retention_days'])
        .where('programme_id', '=', programme.id)
        .where('sender_organisation_id', '=', carma.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  if (!carma || !protocol) return null;
  const people: People = {
    coordinator: await userId(db, 'coordinator@demo.haven.test'),
    callers: (await Promise.all(['caller@demo.haven.test', 'caller2@demo.haven.test'].map((e) => userId(db, e)))).filter((u): u is string => u !== null),
  };
  const dice = new Dice(seed);
  const list = batches(dice, now);
  const imports = await importBatches(db, keys, {
    programmeId: programme.id,
    carmaId: carma.id,
    policeUserId: await userId(db, 'police@demo.haven.test'),
    coordinatorId: people.coordinator,
    seed,
    list,
  });
  await ensureDefaultScenario(db);

  return db.transaction().execute(async (tx) => {
    const events: AuditEvent[] = [];
    const audit = (e: AuditEvent) => {
      events.push(e);
    };
    const services = await ensureServices(tx, audit, { programmeId: programme.id, projectId: programme.project_id });
    const rule = await readSettings(tx, programme.id);
    const scenario = await currentScenario(tx, programme.id);
    const definition = scenarioDefinition.parse(scenario.definition);
    const answersOk = (answers: Record<string, boolean | number | string>) => {
      checkAnswers(definition, answers);
      return escalationsIn(definition, answers).map((m) => m.reason);
    };
    const contacts = (
      await sql<DemoContact & { row_no: number }>`
        SELECT c.id, c.dossier_id, c.person_hash, c.has_phone, c.language, d.nis_code, d.colour, c.received_at,
               (SELECT min(r.row_no) FROM import_rows r WHERE r.import_id = d.import_id AND r.person_hash = c.person_hash) AS row_no
        FROM contacts c
        JOIN dossiers d ON d.id = c.dossier_id
        JOIN imports i ON i.id = d.import_id
        WHERE d.programme_id = ${programme.id} AND i.file_name LIKE ${`${DEMO_FILE_PREFIX}%`}
        ORDER BY c.received_at, row_no, c.id`.execute(tx)
    ).rows;

    const stories: Story[] = [];
    for (const c of contacts) {
      const story = await play(
        dice,
        { ...c, received_at: new Date(c.received_at) },
        { now, rule, people, services },
        async () => {
          const { identity } = await readContactIdentity(tx, keys, async (e) => audit(e), c.id, 'outreach_number_check');
          return new Set([identity.mobile, identity.phone].filter((n): n is string => !!n)).size;
        },
        (answers) => {
          answersOk(answers);
        },
        (column, text) => keys.seal(text, outreachContext(column, c.person_hash)),
      );
      stories.push(story);
    }
    keepFollowUps(stories, dice, now);
    const escalations = escalate(
      stories,
      { now, coordinator: people.coordinator },
      (s, text) => keys.seal(text, outreachContext('escalations.note', s.contact.person_hash)),
      answersOk,
    );
    for (const s of stories) checkClosing(s, rule);

    await write(tx, keys, { programmeId: programme.id, retentionDays: protocol.retention_days, scenarioId: scenario.id }, stories, escalations);
    const summary = summarise(stories, escalations, { imports: list.length, services: services.length, callers: people.callers });
    audit({
      action: 'demo.outreach_history',
      recordType: 'programme',
      recordId: programme.id,
      programmeId: programme.id,
      details: {
        batchesImported: imports,
        contacts: summary.contacts,
        attempts: summary.attempts,
        conversations: summary.conversations,
        escalations: summary.escalations,
      },
    });
    await appendAudit(tx, DEMO_ACTOR, events);
    const emails = new Map(
      (
        await tx
          .selectFrom('users')
          .select(['id', 'email'])
          .where('id', 'in', people.callers.length ? people.callers : ['00000000-0000-0000-0000-000000000000'])
          .execute()
      ).map((u) => [u.id, u.email]),
    );
    return { ...summary, assigned: Object.fromEntries(Object.entries(summary.assigned).map(([id, n]) => [emails.get(id) ?? id, n])) };
  });
}

/** The history never closes a contact with an outcome the API would refuse for its facts. */
function checkClosing(s: Story, rule: { maxAttempts: number; distinctDays: boolean; distinctParts: boolean }): void {
  if (!s.closed || s.closed.outcome === 'escalated') return;
  const before = s.attempts.filter((a) => a.channel === 'phone' && (!s.reachedAt || a.at.getTime() <= s.reachedAt.getTime()));
  const refusal = closingRefusal(s.closed.outcome, {
    reached: s.reachedAt !== null,
    hasPhone: s.contact.has_phone,
    unusableNumber: s.attempts.some((a) => a.channel === 'phone' && UNUSABLE_NUMBER.includes(a.outcome)),
    letterSent: s.attempts.some((a) => a.channel !== 'phone' && a.outcome === 'sent'),
    attemptsExhausted: exhausted(
      before.map((a) => ({ localDay: localDay(a.at), partOfDay: partOfDay(a.at) })),
      rule,
    ),
  });
  if (refusal) throw new Error(`demo history: contact closed as ${s.closed.outcome} against the rule (${refusal})`);
}

async function write(
  tx: Tx,
  keys: KeyRing,
  q: { programmeId: string; retentionDays: number; scenarioId: string },
  stories: Story[],
  escalations: EscalationRow[],
): Promise<void> {
  const { programmeId, retentionDays, scenarioId } = q;
  const chunks = <T>(rows: T[], size = 400) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  for (const rows of chunks(stories.flatMap((s) => s.attempts))) {
    await tx
      .insertInto('attempts')
      .values(
        rows.map((a) => ({
          id: a.id,
          contact_id: a.contact_id,
          programme_id: programmeId,
          attempt_no: a.attempt_no,
          caller_id: a.caller_id,
          at: a.at,
          local_day: localDay(a.at),
          part_of_day: partOfDay(a.at),
          channel: a.channel,
          outcome: a.outcome,
          note: a.note,
          created_at: a.at,
        })),
      )
      .execute();
  }
  const conversations = stories.flatMap((s) => (s.conversation ? [s.conversation] : []));
  for (const rows of chunks(conversations)) {
    await tx
      .insertInto('conversations')
      .values(
        rows.map((v) => ({
          id: v.id,
          contact_id: v.contact_id,
          programme_id: programmeId,
          attempt_id: v.attempt_id,
          scenario_id: scenarioId,
          caller_id: v.caller_id,
          status: v.status,
          answers: JSON.stringify(v.answers),
          free_text: v.free_text,
          started_at: v.started_at,
          ended_at: v.ended_at,
        })),
      )
      .execute();
  }
  const referrals = stories.flatMap((s) => s.referrals);
  for (const rows of chunks(referrals)) {
    await tx
      .insertInto('service_referrals')
      .values(
        rows.map((r) => ({
          contact_id: r.contact_id,
          programme_id: programmeId,
          conversation_id: r.conversation_id,
          service_id: r.service.id,
          service_kind: r.service.kind,
          status: r.status,
          proposed_at: r.proposed_at,
          accepted_at: r.accepted_at,
          taken_up_at: r.taken_up_at,
          declined_at: r.declined_at,
          created_by: r.created_by,
          updated_at: r.taken_up_at ?? r.declined_at ?? r.accepted_at ?? r.proposed_at,
        })),
      )
      .execute();
  }
  if (escalations.length) {
    await tx
      .insertInto('escalations')
      .values(escalations.map((e) => ({ ...e, programme_id: programmeId })))
      .execute();
    // The dossier's colour is raised, never lowered: red stays red.
    for (const e of escalations) {
      const story = stories.find((s) => s.contact.id === e.contact_id) as Story;
      await tx
        .updateTable('dossiers')
        .set({ colour: e.colour === 'red' ? 'red' : sql<'orange' | 'red'>`CASE WHEN colour = 'red' THEN 'red' ELSE 'orange' END` })
        .where('id', '=', story.contact.dossier_id)
        .execute();
    }
  }
  const safety = stories.filter((s) => s.safety);
  if (safety.length) {
    await tx
      .insertInto('contact_safety')
      .values(
        safety.map((s) => ({
          contact_id: s.contact.id,
          someone_else_answered: s.safety?.someoneElse ?? false,
          safe_parts: s.safety?.safeParts ?? [],
          sealed: s.safety?.text ? keys.seal(JSON.stringify(s.safety.text), outreachContext('contact_safety.sealed', s.contact.person_hash)) : null,
          updated_by: s.owner,
        })),
      )
      .execute();
  }
  // Every contact of the history in one statement: its outreach columns, and closing with the
  // protocol's retention clock started at the moment it closed.
  const rows = stories
    .filter((s) => s.state !== 'out_of_flow')
    .map((s) => ({
      id: s.contact.id,
      assigned_to: s.owner,
      attempt_count: s.attempts.length,
      last_attempt_at: s.attempts.length ? new Date(Math.max(...s.attempts.map((a) => a.at.getTime()))).toISOString() : null,
      next_due_at: s.nextDueAt?.toISOString() ?? null,
      follow_up_at: s.followUpAt?.toISOString() ?? null,
      reached_at: s.reachedAt?.toISOString() ?? null,
      escalated_at: escalations.find((e) => e.contact_id === s.contact.id)?.raised_at.toISOString() ?? null,
      closed_at: s.closed?.at.toISOString() ?? null,
      outcome: s.closed?.outcome ?? null,
      closed_by: s.closed?.by ?? null,
    }));
  for (const part of chunks(rows)) {
    await sql`
      UPDATE contacts c SET
        assigned_to = v.assigned_to, attempt_count = v.attempt_count, last_attempt_at = v.last_attempt_at,
        next_due_at = v.next_due_at, follow_up_at = v.follow_up_at, reached_at = v.reached_at, escalated_at = v.escalated_at,
        status = CASE WHEN v.closed_at IS NULL THEN 'open' ELSE 'closed' END,
        outcome = v.outcome, closed_at = v.closed_at, closed_by = v.closed_by,
        retention_until = v.closed_at + make_interval(days => ${retentionDays}),
        lease_holder = NULL, lease_until = NULL
      FROM jsonb_to_recordset(${JSON.stringify(part)}::jsonb) AS v(
        id uuid, assigned_to uuid, attempt_count int, last_attempt_at timestamptz, next_due_at timestamptz, follow_up_at timestamptz,
        reached_at timestamptz, escalated_at timestamptz, closed_at timestamptz, outcome text, closed_by uuid)
      WHERE c.id = v.id`.execute(tx);
  }
}

function summarise(stories: Story[], escalations: EscalationRow[], q: { imports: number; services: number; callers: string[] }): OutreachDemoSummary {
  const states = Object.fromEntries(DEMO_STATES.map((s) => [s, 0])) as Record<DemoState, number>;
  // An escalation takes the whole dossier out of the green flow: its other open contacts too.
  const raised = new Set(escalations.map((e) => stories.find((s) => s.contact.id === e.contact_id)?.contact.dossier_id));
  const stateOf = (s: Story): DemoState => (!s.closed && s.state !== 'out_of_flow' && raised.has(s.contact.dossier_id) ? 'out_of_flow' : s.state);
  for (const s of stories) states[stateOf(s)]++;
  const referrals: Record<ReferralStatus, number> = { proposed: 0, accepted: 0, taken_up: 0, declined: 0 };
  for (const r of stories.flatMap((s) => s.referrals)) referrals[r.status]++;
  const assigned = Object.fromEntries(q.callers.map((id) => [id, stories.filter((s) => s.owner === id && !s.closed && stateOf(s) !== 'out_of_flow').length]));
  return {
    imports: q.imports,
    contacts: stories.length,
    attempts: stories.reduce((n, s) => n + s.attempts.length, 0),
    conversations: stories.filter((s) => s.conversation).length,
    referrals,
    escalations: escalations.length,
    services: q.services,
    states,
    assigned,
  };
}
