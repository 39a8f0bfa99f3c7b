/** Translated names of the closed lists the API speaks in codes. */
import type { TFunction } from 'i18next';
import type { Grant, Programme } from './types.ts';

export const roleLabel = (t: TFunction, role: string) => t(`app:role.${role}`, { defaultValue: role });
export const organisationKindLabel = (t: TFunction, kind: string) => t(`app:organisationKind.${kind}`, { defaultValue: kind });
export const programmeKindLabel = (t: TFunction, kind: string) => t(`app:programmeKind.${kind}`, { defaultValue: kind });

/** "Coordinator – Proactieve contactname", or "Administrator (everywhere)". */
export function grantLabel(t: TFunction, g: Grant, programmes: readonly Programme[] | undefined): string {
  if (!g.programmeId) return t('app:grant.global', { role: roleLabel(t, g.role) });
  const p = programmes?.find((x) => x.id === g.programmeId);
  return t('app:grant.inProgramme', { role: roleLabel(t, g.role), programme: p ? p.name : t('app:grant.unknownProgramme') });
}
