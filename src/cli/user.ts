import { sql } from 'kysely';
import { appendAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { GLOBAL_ROLES, ROLES, type Role, type RoleGrant } from '../kernel/authz/permissions.ts';
import type { Config } from '../kernel/config.ts';
import { hashPassword, passwordSchema } from '../modules/identity/passwords.ts';
import { openRuntime } from '../server/runtime.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export class CliError extends Error {}

export async function userAddCommand(
  config: Config,
  o: { email: string; name: string; organisation: string; createOrganisation?: boolean; role: string[]; passwordStdin?: boolean },
): Promise<void> {
  const password = o.passwordStdin ? await readStdin() : process.env.HAVEN_NEW_USER_PASSWORD;
  if (!password) throw new CliError('Give the password on standard input (--password-stdin) or in HAVEN_NEW_USER_PASSWORD.');
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) throw new CliError('The password must have 12 to 128 characters and not be a common password.');
  const email = o.email.trim().toLowerCase();
  const rt = await openRuntime(config);
  try {
    const db = rt.database.db;
    const grants: RoleGrant[] = [];
    for (const spec of o.role) {
      const [role, slug] = spec.split('@') as [string, string | undefined];
      if (!(ROLES as readonly string[]).includes(role)) throw new CliError(`Unknown role "${role}". Roles: ${ROLES.join(', ')}`);
      const global = GLOBAL_ROLES.includes(role as Role);
      if (global && slug) throw new CliError(`${role} holds everywhere: give it without @programme`);
      if (!global && !slug) throw new CliError(`${role} is held in a programme: write ${role}@<programme-slug>`);
      let programmeId: string | null = null;
      if (slug) {
        const p = await db.selectFrom('programmes').select('id').where('slug', '=', slug).executeTakeFirst();
        if (!p) throw new CliError(`No programme with slug "${slug}"`);
        programmeId = p.id;
      }
      grants.push({ role: role as Role, programmeId });
    }
    const hash = await hashPassword(password);
    const id = await db.transaction().execute(async (tx) => {
      let org = await tx.selectFrom('organisations').select('id').where(sql`lower(name)`, '=', o.organisation.toLowerCase()).executeTakeFirst();
      if (!org) {
        if (!o.createOrganisation) throw new CliError(`No organisation named "${o.organisation}" (add --create-organisation to create it)`);
        org = await tx.insertInto('organisations').values({ name: o.organisation, kind: 'other', nis_code: null }).returning('id').executeTakeFirstOrThrow();
      }
      if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())
        throw new CliError(`An account with ${email} exists already`);
      const u = await tx
        .insertInto('users')
        .values({
          organisation_id: org.id,
          email,
          display_name: o.name,
          password_hash: hash,
          locale: null,
          totp_secret: null,
          totp_enabled_at: null,
          totp_last_step: null,
          deactivated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (grants.length)
        await tx
          .insertInto('role_assignments')
          .values(grants.map((g) => ({ user_id: u.id, role: g.role, programme_id: g.programmeId })))
          .execute();
      await appendAudit(tx, { ...SYSTEM_ACTOR, role: 'cli' }, [
        { action: 'user.created', recordType: 'user', recordId: u.id, details: { roles: grants, via: 'cli' } },
      ]);
      return u.id;
    });
    process.stdout.write(`${JSON.stringify({ id, email, roles: grants })}\n`);
  } finally {
    await rt.close();
  }
}
