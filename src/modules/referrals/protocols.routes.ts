import type { AnyRoute } from '../../kernel/http/route.ts';

/** Placeholder until the protocol routes land (same session). */
export const protocolRoutes: AnyRoute[] = [];
