import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../kernel/db/schema.ts';

export const ORGANISATION_KINDS = ['city', 'police_zone', 'caw', 'safety_house', 'veilig_huis', 'groep_intro', 'primary_care_zone', 'funder', 'other'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const PROGRAMME_KINDS = ['outreach', 'peer_groups', 'perpetrator_training', 'education'] as const;
export type ProgrammeKind = (typeof PROGRAMME_KINDS)[number];

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: OrganisationKind;
  nis_code: string | null;
  active: Generated<boolean>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ProjectsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  coordinating_organisation_id: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: Generated<Timestamp>;
}

export interface ProjectMunicipalitiesTable {
  project_id: string;
  nis_code: string;
  name: string;
}

export interface ProjectPartnersTable {
  project_id: string;
  organisation_id: string;
}

export interface ProgrammesTable {
  id: Generated<string>;
  project_id: string;
  slug: string;
  name: string;
  kind: ProgrammeKind;
  created_at: ColumnType<Date, never, never>;
}

declare module '../../kernel/db/schema.ts' {
  interface Database {
    organisations: OrganisationsTable;
    projects: ProjectsTable;
    project_municipalities: ProjectMunicipalitiesTable;
    project_partners: ProjectPartnersTable;
    programmes: ProgrammesTable;
  }
}
