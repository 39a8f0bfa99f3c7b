// The benchmark's data set: organisations, a project with programmes, users with role assignments.
import { sql } from 'kysely';
import type { Role } from '../src/kernel/authz/permissions.ts';
import type { Db } from '../src/kernel/db/database.ts';
import { hashPassword } from '../src/modules/identity/passwords.ts';
import { newTotpSecret } from '../src/modules/identity/totp.ts';

const PASSWORD = 'bench password, not a secret';

const FIRST = ['An', 'Bart', 'Chloé', 'Dirk', 'Els', 'Fatima', 'Geert', 'Hanne', 'Ilse', 'Jan', 'Karim', 'Lotte', 'Mohamed', 'Nathalie', 'Olivier', 'Pieter'];
const LAST = [
  'Peeters',
  'Janssens',
  'Maes',
  'Jacobs',
  'Mertens',
  'Willems',
  'Claes',
  'Goossens',
  'Wouters',
  'De Smet',
  'Dubois',
  'Lambert',
  'El Amrani',
  'Vermeulen',
];
const ROLES_IN_PROGRAMME = ['coordinator', 'caller', 'facilitator', 'police_liaison', 'trainer', 'analyst'] as const;

/**
 * `users` users (the first one an administrator with MFA, whose credentials are returned) in 40
 * organisations, with one or two roles each in six programmes; bulk inserts, then VACUUM ANALYZE.
 */
export async function seed(
  db: Db,
  sealTotp: (secret: string) => string,
  users: number,
  log: (msg: string) => void = () => {},
): Promise<{ email: string; password: string; totpSecret: string }> {
  const t0 = performance.now();
  const hash = await hashPassword(PASSWORD);
  const totpSecret = newTotpSecret();
  const orgs = await db
    .insertInto('organisations')
    .values(Array.from({ length: 40 }, (_, i) => ({ name: `Bench organisation ${i + 1}`, kind: 'other' as const, nis_code: null })))
    .returning('id')
    .execute();
  const project = await db
    .insertInto('projects')
    .values({ slug: 'bench', name: 'Bench project', coordinating_organisation_id: orgs[0]?.id as string, starts_on: null, ends_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const programmes = await db
    .insertInto('programmes')
    .values(
      Array.from({ length: 6 }, (_, i) => ({ project_id: project.id, slug: `bench-${i + 1}`, name: `Bench programme ${i + 1}`, kind: 'outreach' as const })),
    )
    .returning('id')
    .execute();
  const BATCH = 500;
  for (let start = 0; start < users; start += BATCH) {
    await db.transaction().execute(async (tx) => {
      const rows = Array.from({ length: Math.min(BATCH, users - start) }, (_, k) => {
        const i = start + k;
        const admin = i === 0;
        return {
          organisation_id: orgs[i % orgs.length]?.id as string,
          email: admin ? 'admin@bench.haven.test' : `user${i}@bench.haven.test`,
          display_name: admin ? 'Bench Administrator' : `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`,
          password_hash: hash,
          locale: (['nl', 'fr', 'en', null] as const)[i % 4] ?? null,
          totp_secret: admin ? sealTotp(totpSecret) : null,
          totp_enabled_at: admin || i % 3 === 0 ? new Date() : null,
          totp_last_step: null,
          deactivated_at: null,
          active: i % 50 !== 7,
        };
      });
      const ids = await tx.insertInto('users').values(rows).returning('id').execute();
      const grants: { user_id: string; role: Role; programme_id: string | null }[] = [];
      ids.forEach(({ id }, k) => {
        const i = start + k;
        const inProgramme = (n: number) => ({
          user_id: id,
          role: ROLES_IN_PROGRAMME[n % ROLES_IN_PROGRAMME.length] as Role,
          programme_id: programmes[(i + n) % programmes.length]?.id as string,
        });
        if (i === 0) grants.push({ user_id: id, role: 'administrator', programme_id: null });
        else if (i % 500 === 1) grants.push({ user_id: id, role: 'dpo', programme_id: null });
        else grants.push(inProgramme(i), ...(i % 3 === 0 ? [inProgramme(i + 1)] : []));
      });
      await tx.insertInto('role_assignments').values(grants).execute();
    });
  }
  // What autovacuum does on PostgreSQL shortly after a bulk load (PGlite has no autovacuum).
  await sql`VACUUM ANALYZE`.execute(db);
  log(`seeded ${users} users, 40 organisations, 6 programmes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { email: 'admin@bench.haven.test', password: PASSWORD, totpSecret };
}
