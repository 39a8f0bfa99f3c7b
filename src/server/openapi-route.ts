import { defineRoute } from '../kernel/http/route.ts';

/** The OpenAPI 3.1 document, generated from the routes' Zod schemas. Browsable at /api/docs. */
export const openApiRoute = defineRoute({
  method: 'GET',
  url: '/openapi.json',
  access: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  tags: ['system'],
  handler: async ({ reply }) => (reply.server as unknown as { swagger(): unknown }).swagger() as never,
});
