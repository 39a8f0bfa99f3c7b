import { z } from 'zod';

/** A Zod schema as JSON Schema (2020-12, as OpenAPI 3.1 uses) for the API document only. */
export function zodToOpenApi(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
