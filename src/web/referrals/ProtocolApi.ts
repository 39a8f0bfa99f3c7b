/**
 * Data-sharing protocols as the web app reads them: the shape of the API's answers, the query of
 * a programme's protocols, and where a protocol's routes are.
 */
import { useQuery } from '@tanstack/react-query';
import type { DataCategory } from '../../modules/referrals/fields.ts';
import type { ProtocolStatus } from '../../modules/referrals/protocols.ts';
import type { LegalBasis } from '../../modules/referrals/schema.ts';
import { get } from '../app/api.ts';

// Browser-safe: those files hold constants and types only.
export { DATA_CATEGORIES, type DataCategory } from '../../modules/referrals/fields.ts';
export { LEGAL_BASES, type LegalBasis } from '../../modules/referrals/schema.ts';
export type { ProtocolStatus };

/** The largest signed document the server takes (PROTOCOL_DOCUMENT_MAX_BYTES). */
export const PROTOCOL_MAX_BYTES = 10 * 1024 * 1024;

export interface Protocol {
  id: string;
  programmeId: string;
  senderOrganisationId: string;
  senderName: string;
  receiverOrganisationId: string;
  receiverName: string;
  title: string;
  purpose: string;
  legalBasis: LegalBasis;
  legalBasisText: string;
  categories: DataCategory[];
  validFrom: string;
  validTo: string | null;
  retentionDays: number;
  status: ProtocolStatus;
  document: { name: string; size: number; sha256: string } | null;
  revokedAt: string | null;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: string;
  updatedAt: string;
}

export const protocolsPath = (programmeId: string) => `/api/programmes/${programmeId}/protocols`;
export const protocolPath = (p: Pick<Protocol, 'id' | 'programmeId'>) => `${protocolsPath(p.programmeId)}/${p.id}`;

export const protocolsKey = (programmeId: string | null) => ['protocols', programmeId] as const;

export function useProtocols(programmeId: string | null) {
  return useQuery({
    queryKey: protocolsKey(programmeId),
    queryFn: () => get<{ items: Protocol[] }>(protocolsPath(programmeId as string)),
    enabled: !!programmeId,
  });
}
