import { sql } from 'kysely';
import { z } from 'zod';
import { defineRoute } from '../kernel/http/route.ts';

export const healthRoute = defineRoute({
  method: 'GET',
  url: '/health',
  access: 'public',
  summary: 'Liveness and database reachability',
  tags: ['system'],
  response: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }),
  handler: async ({ ctx }) => {
    await ctx.read((db) => sql`SELECT 1`.execute(db));
    return { status: 'ok' as const, database: ctx.kind };
  },
});
