import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../kernel/http/problem.ts';
import { translate } from '../kernel/i18n/i18n.ts';

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request'],
};

/** Any thrown value becomes a Problem; unknown errors become a bare 500 with no detail. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const e = error as { code?: string; statusCode?: number; name?: string };
  const known = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return new Problem(known[0], known[1]);
  if (e.name === 'SyntaxError' && e.statusCode === 400) return new Problem(400, 'malformed_json');
  if (e.statusCode === 429) return new Problem(429, 'rate_limited');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new Problem(e.statusCode, 'bad_request');
  return new Problem(500, 'internal');
}

export function problemBody(problem: Problem, locale: Parameters<typeof translate>[0], instance: string, requestId: string) {
  return {
    type: `urn:haven:problem:${problem.code}`,
    title: translate(locale, `errors:${problem.code}.title`),
    status: problem.status,
    detail: translate(locale, `errors:${problem.code}.detail`, problem.params),
    instance,
    requestId,
    code: problem.code,
    ...problem.extra,
    ...(problem.fieldErrors.length
      ? {
          errors: problem.fieldErrors.map((f) => ({
            field: f.field,
            code: f.code,
            message: translate(locale, f.key, f.params),
          })),
        }
      : {}),
  };
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, problem: Problem) {
  const path = req.url.split('?')[0] ?? req.url;
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .header('cache-control', 'no-store')
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(problemBody(problem, req.havenLocale, path, req.id)));
}
