import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from '../kernel/config.ts';
import type { HavenDatabase } from '../kernel/db/database.ts';
import { type Authenticator, RequestContext, type SessionInfo } from '../kernel/http/context.ts';
import { problems } from '../kernel/http/problem.ts';
import { type AnyRoute, assertRouteDeclared } from '../kernel/http/route.ts';
import { createUpload, type Upload, type UploadSpec } from '../kernel/http/upload.ts';
import { type Locale, negotiateLocale } from '../kernel/i18n/i18n.ts';
import type { HavenModule } from '../kernel/module.ts';
import type { KeyRing } from '../kernel/vault/keyring.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { sendProblem, toProblem } from './errors.ts';
import { healthRoute } from './health.ts';
import { createLogger } from './logger.ts';
import { loadModules } from './modules.ts';
import { zodToOpenApi } from './openapi.ts';
import { openApiRoute } from './openapi-route.ts';
import { parseInput } from './validation.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(ROOT, 'dist/web');

export interface ServerDeps {
  config: Config;
  database: HavenDatabase;
  keys: KeyRing;
  modules?: HavenModule[];
  /** Log destination; tests pass `false`. */
  logger?: boolean;
  /** Where the JSON log lines go (default: standard output); tests capture them. */
  logStream?: DestinationStream;
}

declare module 'fastify' {
  interface FastifyRequest {
    havenLocale: Locale;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  return (await build(deps)) as unknown as FastifyInstance;
}

/** Every route the server registers under /api: the server's own, then each module's. */
export function collectRoutes(modules: HavenModule[]): AnyRoute[] {
  return [healthRoute, openApiRoute, ...modules.flatMap((m) => m.routes)];
}

async function build(deps: ServerDeps) {
  const { config, database, keys } = deps;
  const modules = deps.modules ?? (await loadModules());
  const routes = collectRoutes(modules);
  // Refuse to start when any route does not say who may call it.
  routes.forEach(assertRouteDeclared);
  const authenticators = modules.map((m) => m.authenticator).filter((a): a is Authenticator => !!a);
  if (authenticators.length !== 1) throw new Error(`Exactly one module must provide the authenticator (found ${authenticators.length})`);
  const authenticator = authenticators[0] as Authenticator;
  const services = { db: database.db, kind: database.kind, keys, config };

  const app = Fastify({
    loggerInstance: deps.logger === false ? undefined : createLogger(config.logLevel, deps.logStream),
    logger: deps.logger === false ? false : undefined,
    genReqId: () => randomUUID(),
    // One line per request, written when it ends (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorateRequest('havenLocale', 'en');

  // Bodies are JSON only: a form post from another site cannot reach a state-changing route.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine sets CSS variables in style attributes; no inline script is allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: config.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Haven API', version: '0.1.0', description: 'JSON API of Haven. Errors are RFC 9457 problem+json.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Its own policy lets the docs be framed by the same site; nothing of Haven may be framed.
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });

  app.addHook('onRequest', async (req, reply) => {
    req.havenLocale = negotiateLocale(req.headers['accept-language']);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ req, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((error, req, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) req.log.error({ err: error }, 'request failed');
    return sendProblem(reply, req, problem);
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api' || req.method !== 'GET' || !existsSync(WEB_DIST)) {
      return sendProblem(reply, req, problems.notFound());
    }
    // The web app routes in the browser: any other GET gets its shell.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_DIST);
  });

  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'] });
  }

  async function resolveSession(req: FastifyRequest): Promise<SessionInfo | null> {
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return null;
    return authenticator.resolve(database.db, token, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs });
  }

  for (const route of routes) {
    const options: Parameters<typeof app.route>[0] = {
      method: route.method,
      url: `/api${route.url}`,
      bodyLimit: route.bodyLimit,
      schema: {
        summary: route.summary,
        tags: route.tags,
        ...(route.body ? { body: zodToOpenApi(route.body) } : {}),
        ...(route.upload ? { consumes: [...route.upload.contentTypes] } : {}),
        ...(route.query ? { querystring: zodToOpenApi(route.query) } : {}),
        ...(route.params ? { params: zodToOpenApi(route.params) } : {}),
        ...(route.response ? { response: { [route.status ?? 200]: zodToOpenApi(route.response) } } : {}),
        ...(route.access === 'public' ? { security: [] } : { security: [{ session: [], csrf: [] }] }),
      },
      handler: async (req, reply) => {
        // Public routes see a session too when a cookie comes (login ends the previous one).
        const session = await resolveSession(req);
        const locale = session?.locale ?? req.havenLocale;
        req.havenLocale = locale;
        const ctx = new RequestContext(services, { requestId: req.id, ip: req.ip, locale, session });
        try {
          await authorize(ctx, route, req);
        } catch (error) {
          // A refused upload is not read: drain it so the client gets the answer.
          if (route.upload) (req.body as Readable).resume();
          throw error;
        }
        const params = parseInput(route.params, req.params, 'params');
        const query = parseInput(route.query, req.query, 'query');
        const body = route.upload ? undefined : parseInput(route.body, req.body, 'body');
        const upload = route.upload ? uploadOf(req, route.upload) : undefined;
        const result = await route.handler({ body, query, params, ctx, reply, upload });
        if (reply.sent) return reply;
        reply.code(route.status ?? 200);
        if ((route.status ?? 200) === 204) return reply.send();
        return result;
      },
    };
    if (!route.upload) {
      app.route(options);
      continue;
    }
    // Upload routes take their declared media types as a stream, and nothing else (not JSON).
    const types = [...route.upload.contentTypes];
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(types, (_req, payload, done) => done(null, payload));
      // Same instance type as `app`; Fastify's plugin typing loses the logger type on the way.
      scope.route(options as Parameters<typeof scope.route>[0]);
    });
  }

  function uploadOf(req: FastifyRequest, spec: UploadSpec): Upload {
    const max = typeof spec.maxBytes === 'function' ? spec.maxBytes(config) : spec.maxBytes;
    const length = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    return createUpload(req.body as Readable, type, Number.isFinite(length) ? length : null, max);
  }

  return app;
}

/** Session state, CSRF, permission and programme scope: in that order, before any input is read. */
async function authorize(ctx: RequestContext, route: AnyRoute, req: FastifyRequest): Promise<void> {
  const access = route.access;
  if (access === 'public') return;
  const session = ctx.session;
  if (!session) throw problems.unauthenticated();
  if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) throw problems.csrf();
  if (access === 'pending') return;
  if (session.state !== 'active') throw problems.mfaRequired();
  if (access === 'signed-in') return;
  const scope = ctx.scope(access.permission);
  const denied = async (status: 403 | 404) => {
    await ctx.audit({
      action: 'access.denied',
      outcome: 'denied',
      details: { method: req.method, route: `/api${route.url}`, permission: access.permission, status },
    });
    throw status === 403 ? problems.forbidden() : problems.notFound();
  };
  if (scope.kind === 'none') return denied(403);
  if (access.programmeParam) {
    const programmeId = (req.params as Record<string, string>)[access.programmeParam] ?? '';
    if (!ctx.allows(access.permission, programmeId)) return denied(404);
  }
}
