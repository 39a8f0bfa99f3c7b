import type { AnyRoute } from '../../kernel/http/route.ts';

export const worklistRoutes: AnyRoute[] = [];
