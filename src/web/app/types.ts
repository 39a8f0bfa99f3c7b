/** Shapes of the API's answers, as the web app reads them (see /api/openapi.json). */
import type { Permission, Role } from '../../kernel/authz/permissions.ts';
import type { Locale } from '../../kernel/i18n/locales.ts';
import type { OrganisationKind, ProgrammeKind } from '../../modules/organisations/schema.ts';

export type SessionState = 'active' | 'mfa_challenge' | 'mfa_enrolment';
export type NextStep = 'done' | 'mfa' | 'enrol';

export interface Grant {
  role: Role;
  programmeId: string | null;
}

export interface Session {
  state: SessionState;
  csrfToken: string;
  user: {
    id: string;
    displayName: string;
    email: string;
    organisationId: string;
    organisationName: string;
    locale: Locale | null;
    mfaEnabled: boolean;
  };
  grants: Grant[];
  permissions: Permission[];
  idleTimeoutSeconds: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface User {
  id: string;
  displayName: string;
  email: string;
  organisationId: string;
  organisationName: string;
  locale: Locale | null;
  active: boolean;
  mfaEnabled: boolean;
  roles: Grant[];
  createdAt: string;
}

// Browser-safe: that file holds constants and types only.
export { ORGANISATION_KINDS, type OrganisationKind, PROGRAMME_KINDS, type ProgrammeKind } from '../../modules/organisations/schema.ts';

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  nisCode: string | null;
  active: boolean;
  userCount: number;
}

export interface Programme {
  id: string;
  projectId: string;
  projectName: string;
  slug: string;
  name: string;
  kind: ProgrammeKind;
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  coordinatingOrganisationId: string;
  coordinatingOrganisationName: string;
  startsOn: string | null;
  endsOn: string | null;
  municipalities: { nisCode: string; name: string }[];
  partners: { id: string; name: string }[];
  programmes: Programme[];
}

export type Outcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  seq: number;
  at: string;
  actorUserId: string | null;
  actorName: string | null;
  actorOrganisationId: string | null;
  actorRole: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  programmeId: string | null;
  outcome: Outcome;
  requestId: string | null;
  purpose: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  lastSeq: number;
  lastHash: string;
  broken?: { seq: number; reason: string };
}
