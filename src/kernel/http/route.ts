import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../authz/permissions.ts';
import type { RequestContext } from './context.ts';
import type { Upload, UploadSpec } from './upload.ts';

/**
 * Who may call a route. Every route states one; `registerRoutes` refuses a route without it.
 * - `public`: anyone (health, login, setup).
 * - `pending`: a session that has passed the password but not yet MFA (challenge, enrolment).
 * - `signed-in`: any fully signed-in user, for their own account.
 * - `{ permission }`: the user must hold it somewhere, else 403.
 * - `{ permission, programmeParam }`: the user must hold it in the programme named by that path
 *   parameter; a programme outside their scope answers 404, as if it did not exist.
 */
export type Access = 'public' | 'pending' | 'signed-in' | { permission: Permission; programmeParam?: string };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HandlerArgs<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  ctx: RequestContext;
  reply: FastifyReply;
  /** The raw body as a stream, on routes that declare `upload`. */
  upload: Upload | undefined;
}

export interface RouteDef<B = unknown, Q = unknown, P = unknown, R = unknown> {
  method: Method;
  /** Path under /api, Fastify syntax: `/users/:userId` */
  url: string;
  access: Access;
  summary: string;
  tags: string[];
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** For the OpenAPI document. */
  response?: z.ZodType<R>;
  /** Status on success (default 200; 204 sends no body). */
  status?: number;
  /** Raise the body size limit for this route (bytes). */
  bodyLimit?: number;
  /** The body is a file (CSV, XLSX, PDF…), streamed to the handler as `upload`; no `body` schema. */
  upload?: UploadSpec;
  handler: (args: HandlerArgs<B, Q, P>) => Promise<R>;
}

/** Typed identity function: infers the handler's argument types from the schemas. */
export function defineRoute<B = undefined, Q = undefined, P = undefined, R = unknown>(def: RouteDef<B, Q, P, R>): RouteDef<B, Q, P, R> {
  return def;
}

export type AnyRoute = RouteDef<any, any, any, any>;

export class RouteDeclarationError extends Error {}

/** Checked at start: the server does not listen when any route breaks these rules. */
export function assertRouteDeclared(route: AnyRoute): void {
  const where = `${route.method} /api${route.url}`;
  const a = route.access as unknown;
  if (a === undefined || a === null) throw new RouteDeclarationError(`${where} declares no access: every route must name its permission`);
  if (typeof a === 'string') {
    if (!['public', 'pending', 'signed-in'].includes(a)) throw new RouteDeclarationError(`${where} declares unknown access "${a}"`);
    return;
  }
  const p = (a as { permission?: unknown }).permission;
  if (typeof p !== 'string' || !(PERMISSIONS as readonly string[]).includes(p)) {
    throw new RouteDeclarationError(`${where} names a permission that is not in the closed list: ${String(p)}`);
  }
  if (route.upload && route.body) throw new RouteDeclarationError(`${where} takes an upload and a JSON body: choose one`);
  const param = (a as { programmeParam?: string }).programmeParam;
  if (param !== undefined && !route.url.includes(`:${param}`)) {
    throw new RouteDeclarationError(`${where} scopes by :${param}, which is not in its path`);
  }
}

// Shared schema pieces.
export const uuid = () => z.uuid();
export const pageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type PageQuery = z.infer<typeof pageQuery>;
export function paged<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}
