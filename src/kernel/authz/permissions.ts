/**
 * The closed list of permissions and roles, shared by the server and the web app.
 * A route names exactly one permission (or declares itself public / for any signed-in user);
 * the server refuses to start when a route names none.
 *
 * Scope: a permission is held either everywhere (from a global role: administrator, DPO) or in
 * the programmes where the user holds a role that grants it.
 */
export const PERMISSIONS = [
  'users.read',
  'users.manage',
  'organisations.read',
  'organisations.manage',
  'projects.read',
  'projects.manage',
  'programmes.read',
  'programme.members.read',
  'audit.read',
  // Police referrals: protocols, imports, dossiers and contacts.
  'protocols.read',
  'protocols.manage',
  'imports.create',
  /** Imports of the programme; without `dossiers.read`, only the user's own uploads. */
  'imports.read',
  'dossiers.read',
  'dossiers.create',
  /** Read a contact's identifying data from the vault (every read is audited). */
  'contacts.identity.read',
  'contacts.close',
  // Proactive outreach: the worklist, attempts, conversations, escalations, referrals to services.
  /** Work contacts assigned to or claimed by the user: claim, card, attempts, conversation, referral, close. */
  'outreach.work',
  /** Assign and re-assign contacts, see who holds what, the programme's attempt rule. */
  'outreach.manage',
  'scenarios.manage',
  'services.read',
  'services.manage',
  /** Escalations of the programme (callers see those they raised through outreach.work). */
  'escalations.read',
  /** Aggregate figures of a programme (the funnel): counts, never a person. */
  'reports.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['administrator', 'coordinator', 'caller', 'facilitator', 'police_liaison', 'trainer', 'analyst', 'dpo'] as const;
export type Role = (typeof ROLES)[number];

/** Roles held across the whole installation; all others are held per programme. */
export const GLOBAL_ROLES: readonly Role[] = ['administrator', 'dpo'];

/** Roles whose holders never see a person (aggregate figures only): MFA is offered, not forced. */
export const AGGREGATE_ONLY_ROLES: readonly Role[] = ['analyst'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  administrator: [
    'users.read',
    'users.manage',
    'organisations.read',
    'organisations.manage',
    'projects.read',
    'projects.manage',
    'programmes.read',
    'programme.members.read',
    'audit.read',
  ],
  dpo: ['users.read', 'organisations.read', 'projects.read', 'programmes.read', 'audit.read', 'protocols.read'],
  coordinator: [
    'programmes.read',
    'programme.members.read',
    'projects.read',
    'organisations.read',
    'protocols.read',
    'protocols.manage',
    'imports.create',
    'imports.read',
    'dossiers.read',
    'dossiers.create',
    'contacts.identity.read',
    'contacts.close',
    'outreach.work',
    'outreach.manage',
    'scenarios.manage',
    'services.read',
    'services.manage',
    'escalations.read',
    'reports.read',
  ],
  caller: ['programmes.read', 'outreach.work', 'services.read'],
  facilitator: ['programmes.read'],
  police_liaison: ['programmes.read', 'imports.create', 'imports.read'],
  trainer: ['programmes.read'],
  analyst: ['programmes.read', 'reports.read'],
};

export interface RoleGrant {
  role: Role;
  /** null for a global role */
  programmeId: string | null;
}

/** Where a user holds a permission: everywhere, in some programmes, or nowhere. */
export type Scope = { kind: 'all' } | { kind: 'programmes'; ids: readonly string[] } | { kind: 'none' };

export function scopeOf(grants: readonly RoleGrant[], permission: Permission): Scope {
  const ids = new Set<string>();
  for (const g of grants) {
    if (!ROLE_PERMISSIONS[g.role].includes(permission)) continue;
    if (g.programmeId === null) return { kind: 'all' };
    ids.add(g.programmeId);
  }
  return ids.size ? { kind: 'programmes', ids: [...ids] } : { kind: 'none' };
}

export function permissionsOf(grants: readonly RoleGrant[]): Permission[] {
  return PERMISSIONS.filter((p) => scopeOf(grants, p).kind !== 'none');
}

/** MFA is mandatory unless every role the user holds sees aggregates only (and they hold one). */
export function mfaRequired(grants: readonly RoleGrant[]): boolean {
  return grants.length === 0 || grants.some((g) => !AGGREGATE_ONLY_ROLES.includes(g.role));
}

/** The roles of a user as one audit label, e.g. `caller,coordinator`; null when there is none. */
export function roleLabel(grants: readonly RoleGrant[]): string | null {
  return [...new Set(grants.map((g) => g.role))].sort().join(',') || null;
}
