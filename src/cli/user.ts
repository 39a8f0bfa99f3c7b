/** `haven user add`: an account created from a script (MFA enrolment follows at its first sign-in). */
import { sql } from 'kysely';
import { appendAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { GLOBAL_ROLES, ROLES, type Role, type RoleGrant } from '../kernel/authz/permissions.ts';
import type { Config } from '../kernel/config.ts';
import { translate } from '../kernel/i18n/i18n.ts';
import { hashPassword, passwordSchema } from '../modules/identity/passwords.ts';
import { openRuntime } from '../server/runtime.ts';
import { issuesToFieldErrors } from '../server/validation.ts';
import { andList, CliError, cliLocale, t } from './lang.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function userAddCommand(
  config: Config,
  o: { email: string; name: string; organisation: string; createOrganisation?: boolean; role: string[]; passwordStdin?: boolean; json?: boolean },
): Promise<void> {
  const password = o.passwordStdin ? await readStdin() : process.env.HAVEN_NEW_USER_PASSWORD;
  if (!password) throw new CliError('passwordMissing');
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) {
    // The web app's own words for the password rules (errors:field.*).
    const reasons = issuesToFieldErrors(checked.error.issues, 'body').map((f) => translate(cliLocale(), f.key, f.params));
    throw new CliError('passwordRefused', { reasons: reasons.join(' ') });
  }
  const email = o.email.trim().toLowerCase();
  const rt = await openRuntime(config);
  try {
    const db = rt.database.db;
    const grants: RoleGrant[] = [];
    for (const spec of o.role) {
      const [role, slug] = spec.split('@') as [string, string | undefined];
      if (!(ROLES as readonly string[]).includes(role)) throw new CliError('unknownRole', { role, roles: ROLES.join(', ') });
      const global = GLOBAL_ROLES.includes(role as Role);
      if (global && slug) throw new CliError('roleGlobal', { role });
      if (!global && !slug) throw new CliError('roleInProgramme', { role });
      let programmeId: string | null = null;
      if (slug) {
        const p = await db.selectFrom('programmes').select('id').where('slug', '=', slug).executeTakeFirst();
        if (!p) throw new CliError('noProgramme', { slug });
        programmeId = p.id;
      }
      grants.push({ role: role as Role, programmeId });
    }
    const hash = await hashPassword(password);
    const id = await db.transaction().execute(async (tx) => {
      let org = await tx.selectFrom('organisations').select('id').where(sql`lower(name)`, '=', o.organisation.toLowerCase()).executeTakeFirst();
      if (!org) {
        if (!o.createOrganisation) throw new CliError('noOrganisationCreate', { name: o.organisation });
        org = await tx.insertInto('organisations').values({ name: o.organisation, kind: 'other', nis_code: null }).returning('id').executeTakeFirstOrThrow();
      }
      if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) throw new CliError('emailTaken', { email });
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
    if (o.json) process.stdout.write(`${JSON.stringify({ id, email, roles: grants })}\n`);
    else {
      const roles = o.role.length ? andList(o.role) : t('user.noRoles');
      process.stdout.write(`${t('user.created', { email, roles })}\n`);
    }
  } finally {
    await rt.close();
  }
}
