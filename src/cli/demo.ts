import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Role } from '../kernel/authz/permissions.ts';
import type { Config } from '../kernel/config.ts';
import type { Db } from '../kernel/db/database.ts';
import type { KeyRing } from '../kernel/vault/keyring.ts';
import { TOTP_CONTEXT } from '../modules/identity/auth.routes.ts';
import { hashPassword } from '../modules/identity/passwords.ts';
import { newTotpSecret } from '../modules/identity/totp.ts';
import type { OrganisationKind, ProgrammeKind } from '../modules/organisations/schema.ts';
import { loadOutreachDemo, type OutreachDemoSummary } from '../modules/outreach/demo.ts';
import { DATA_CATEGORIES } from '../modules/referrals/fields.ts';
import { openRuntime } from '../server/runtime.ts';
import { t } from './lang.ts';

/**
 * A small synthetic demo: the partners of the Genk project "Hoe gaat het met u?" and of the
 * Ostend–Bruges G-FORSE project, their programmes, and one user of each role. Every name is
 * invented; passwords and TOTP secrets are random and printed once.
 */
export const DEMO_PROJECT_SLUG = 'hoe-gaat-het';

const ORGS: { key: string; name: string; kind: OrganisationKind; nis?: string }[] = [
  { key: 'genk', name: 'Stad Genk', kind: 'city', nis: '71016' },
  { key: 'fjc', name: 'Veiligheidshuis Limburg (Family Justice Center)', kind: 'safety_house' },
  { key: 'carma', name: 'Politiezone Carma', kind: 'police_zone' },
  { key: 'vh', name: 'Veilig Huis Limburg', kind: 'veilig_huis' },
  { key: 'caw', name: 'CAW Limburg', kind: 'caw' },
  { key: 'oostende', name: 'Stad Oostende', kind: 'city', nis: '35013' },
  { key: 'brugge', name: 'Stad Brugge', kind: 'city', nis: '31005' },
  { key: 'intro', name: 'Groep INTRO', kind: 'groep_intro' },
  { key: 'cawnwv', name: 'CAW Noord-West-Vlaanderen', kind: 'caw' },
  { key: 'funder', name: 'FOD Justitie (demo)', kind: 'funder' },
];

const GENK_MUNICIPALITIES = [
  ['71002', 'As'],
  ['72003', 'Bocholt'],
  ['72004', 'Bree'],
  ['71016', 'Genk'],
  ['72039', 'Houthalen-Helchteren'],
  ['72018', 'Kinrooi'],
  ['72042', 'Oudsbergen'],
  ['71067', 'Zutendaal'],
] as const;

const PROGRAMMES: { key: string; project: 'genk' | 'gforse'; slug: string; name: string; kind: ProgrammeKind }[] = [
  { key: 'outreach', project: 'genk', slug: 'hoe-gaat-het-outreach', name: 'Proactieve contactname', kind: 'outreach' },
  { key: 'peers', project: 'genk', slug: 'hoe-gaat-het-lotgenoten', name: 'Lotgenotengroepen', kind: 'peer_groups' },
  { key: 'webinar', project: 'genk', slug: 'hoe-gaat-het-vorming', name: 'Webinar en vorming', kind: 'education' },
  { key: 'gforse', project: 'gforse', slug: 'g-forse', name: 'G-FORSE groepstraining', kind: 'perpetrator_training' },
  { key: 'training', project: 'gforse', slug: 'g-forse-vorming', name: 'Vorming intermediairs', kind: 'education' },
];

const USERS: { email: string; name: string; org: string; roles: [Role, string | null][] }[] = [
  { email: 'admin@demo.haven.test', name: 'Ann Admin', org: 'genk', roles: [['administrator', null]] },
  {
    email: 'coordinator@demo.haven.test',
    name: 'Patsy Coördinator',
    org: 'fjc',
    roles: [
      ['coordinator', 'outreach'],
      ['coordinator', 'peers'],
      ['coordinator', 'webinar'],
    ],
  },
  { email: 'caller@demo.haven.test', name: 'Karim Beller', org: 'fjc', roles: [['caller', 'outreach']] },
  { email: 'caller2@demo.haven.test', name: 'Sofie Beller', org: 'caw', roles: [['caller', 'outreach']] },
  { email: 'facilitator@demo.haven.test', name: 'Lotte Begeleider', org: 'caw', roles: [['facilitator', 'peers']] },
  {
    email: 'intro@demo.haven.test',
    name: 'Jonas Trainer',
    org: 'intro',
    roles: [
      ['facilitator', 'gforse'],
      ['coordinator', 'gforse'],
    ],
  },
  { email: 'police@demo.haven.test', name: 'Inspecteur Maes', org: 'carma', roles: [['police_liaison', 'outreach']] },
  {
    email: 'trainer@demo.haven.test',
    name: 'Eva Vormingswerker',
    org: 'oostende',
    roles: [
      ['trainer', 'training'],
      ['trainer', 'webinar'],
    ],
  },
  {
    email: 'analyst@demo.haven.test',
    name: 'Tom Analist',
    org: 'funder',
    roles: [
      ['analyst', 'outreach'],
      ['analyst', 'gforse'],
    ],
  },
  { email: 'dpo@demo.haven.test', name: 'Dirk DPO', org: 'genk', roles: [['dpo', null]] },
];

export interface DemoCredential {
  email: string;
  password: string;
  totpSecret: string;
  roles: string;
}

/** A one-page PDF that says what it is: the demo protocol's "signed document". */
function demoPdf(text: string): Buffer {
  const stream = `BT /F1 11 Tf 50 780 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function demoPassword(): string {
  // four groups of five lowercase letters and digits: easy to type, far from any common list
  const a = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 4 }, () => Array.from(randomBytes(5), (b) => a[b % a.length]).join('')).join('-');
}

/** Loads the demo once; returns the credentials, or null when it is there already. */
export async function loadDemo(db: Db, keys: KeyRing): Promise<DemoCredential[] | null> {
  if (await db.selectFrom('projects').select('id').where('slug', '=', DEMO_PROJECT_SLUG).executeTakeFirst()) return null;
  const creds = await Promise.all(
    USERS.map(async (u) => {
      const password = demoPassword();
      return { ...u, password, hash: await hashPassword(password), totpSecret: newTotpSecret() };
    }),
  );
  await db.transaction().execute(async (tx) => {
    const org: Record<string, string> = {};
    for (const o of ORGS) {
      const existing = await tx.selectFrom('organisations').select('id').where('name', '=', o.name).executeTakeFirst();
      org[o.key] =
        existing?.id ??
        (
          await tx
            .insertInto('organisations')
            .values({ name: o.name, kind: o.kind, nis_code: o.nis ?? null })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
    }
    const genk = await tx
      .insertInto('projects')
      .values({
        slug: DEMO_PROJECT_SLUG,
        name: 'Hoe gaat het met u?',
        coordinating_organisation_id: org.genk as string,
        starts_on: '2023-01-01',
        ends_on: '2024-12-31',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const gforse = await tx
      .insertInto('projects')
      .values({
        slug: 'g-forse',
        name: 'Groep vrijwillige hulp G-FORSE',
        coordinating_organisation_id: org.oostende as string,
        starts_on: '2023-01-01',
        ends_on: '2024-12-31',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('project_municipalities')
      .values(GENK_MUNICIPALITIES.map(([nis, name]) => ({ project_id: genk.id, nis_code: nis, name })))
      .execute();
    await tx
      .insertInto('project_municipalities')
      .values([
        { project_id: gforse.id, nis_code: '35013', name: 'Oostende' },
        { project_id: gforse.id, nis_code: '31005', name: 'Brugge' },
      ])
      .execute();
    await tx
      .insertInto('project_partners')
      .values([
        ...['genk', 'fjc', 'carma', 'vh', 'caw'].map((k) => ({ project_id: genk.id, organisation_id: org[k] as string })),
        ...['oostende', 'brugge', 'intro', 'cawnwv'].map((k) => ({ project_id: gforse.id, organisation_id: org[k] as string })),
      ])
      .execute();
    const prog: Record<string, string> = {};
    for (const p of PROGRAMMES) {
      const r = await tx
        .insertInto('programmes')
        .values({ project_id: p.project === 'genk' ? genk.id : gforse.id, slug: p.slug, name: p.name, kind: p.kind })
        .returning('id')
        .executeTakeFirstOrThrow();
      prog[p.key] = r.id;
    }
    for (const u of creds) {
      if (await tx.selectFrom('users').select('id').where('email', '=', u.email).executeTakeFirst()) continue;
      const row = await tx
        .insertInto('users')
        .values({
          organisation_id: org[u.org] as string,
          email: u.email,
          display_name: u.name,
          password_hash: u.hash,
          locale: 'nl',
          totp_secret: keys.seal(u.totpSecret, TOTP_CONTEXT),
          totp_enabled_at: new Date(),
          totp_last_step: null,
          deactivated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('role_assignments')
        .values(u.roles.map(([role, p]) => ({ user_id: row.id, role, programme_id: p ? (prog[p] as string) : null })))
        .execute();
    }
    // The police zone shares its green dossiers with the outreach under a signed protocol, so that
    // `haven import` of an export works right after the demo.
    const pdf = demoPdf('Protocol gegevensdeling Politiezone Carma - Veiligheidshuis Limburg (synthetische demo)');
    await tx
      .insertInto('protocols')
      .values({
        programme_id: prog.outreach as string,
        sender_organisation_id: org.carma as string,
        receiver_organisation_id: org.fjc as string,
        title: 'Protocol gegevensdeling groene dossiers Carma',
        purpose: 'Proactieve contactname na een politie-interventie voor intrafamiliaal geweld (groene dossiers).',
        legal_basis: 'gdpr_6_1_e',
        legal_basis_text: 'AVG art. 6.1.e; Strafwetboek art. 458ter (casusoverleg).',
        categories: [...DATA_CATEGORIES],
        valid_from: '2023-01-01',
        valid_to: null,
        retention_days: 365,
        document: pdf,
        document_name: 'protocol-carma-demo.pdf',
        document_size: pdf.length,
        document_sha256: createHash('sha256').update(pdf).digest('hex'),
        created_by: null,
      })
      .execute();
    await appendAudit(tx, { ...SYSTEM_ACTOR, role: 'demo' }, [{ action: 'demo.loaded', recordType: 'project', recordId: genk.id }]);
  });
  return creds.map((c) => ({
    email: c.email,
    password: c.password,
    totpSecret: c.totpSecret,
    roles: c.roles.map(([r, p]) => (p ? `${r}@${PROGRAMMES.find((x) => x.key === p)?.slug}` : r)).join(', '),
  }));
}

export function printDemoCredentials(creds: DemoCredential[] | null, config: Config): void {
  if (!creds) {
    process.stdout.write(`${t('demo.alreadyLoaded')}\n`);
    return;
  }
  const lines = [
    t('demo.accounts'),
    '',
    ...creds.map((c) => `  ${t('demo.account', { email: c.email.padEnd(30), password: c.password, totpSecret: c.totpSecret, roles: c.roles })}`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const file = path.join(config.dataDir, 'demo-credentials.txt');
  try {
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    process.stdout.write(`${t('demo.alsoWritten', { file })}\n`);
  } catch {
    // the data folder may not be writable when running on PostgreSQL; printing is enough
  }
}

/**
 * The demo outreach programme's history (src/modules/outreach/demo.ts), added once: also to a demo
 * loaded before the history existed. Says what it added.
 */
export async function loadDemoHistory(db: Db, keys: KeyRing): Promise<void> {
  printDemoHistory(await loadOutreachDemo(db, keys));
}

export function printDemoHistory(h: OutreachDemoSummary | null): void {
  if (!h) return;
  const s = h.states;
  const open = s.new + s.in_progress + s.reached_pending + s.follow_up_due + s.follow_up_scheduled;
  const caller = 'caller@demo.haven.test';
  const line = t('demo.history', {
    programme: 'hoe-gaat-het-outreach',
    sender: 'Carma',
    contacts: t('count.contacts', { count: h.contacts }),
    imports: t('count.imports', { count: h.imports }),
    attempts: t('count.attempts', { count: h.attempts }),
    conversations: t('count.conversations', { count: h.conversations }),
    referrals: t('count.referrals', { count: Object.values(h.referrals).reduce((a, b) => a + b, 0) }),
    escalations: t('count.escalations', { count: h.escalations }),
    services: t('count.services', { count: h.services }),
    open: t('demo.open', { count: open, assigned: h.assigned[caller] ?? 0, caller }),
  });
  process.stdout.write(`${line}\n`);
}

export async function demoCommand(config: Config): Promise<void> {
  if (config.env === 'production') {
    process.stderr.write(`haven: ${t('errors.demoInProduction')}\n`);
    process.exitCode = 2;
    return;
  }
  const rt = await openRuntime(config);
  try {
    printDemoCredentials(await loadDemo(rt.database.db, rt.keys), config);
    await loadDemoHistory(rt.database.db, rt.keys);
  } finally {
    await rt.close();
  }
}
