/**
 * RFC 9457 problem details. Handlers throw a Problem; the server's error handler translates its
 * message key into the request's language and answers application/problem+json. Nothing else
 * reaches the client: no stack trace, no SQL.
 */
export interface FieldError {
  /** Dotted path of the failing field, e.g. `email` or `roles.0.programmeId`. */
  field: string;
  code: string;
  /** i18n key and parameters; translated by the error handler. */
  key: string;
  params?: Record<string, unknown>;
}

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly params: Record<string, unknown>;
  readonly fieldErrors: FieldError[];
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    opts: {
      params?: Record<string, unknown>;
      fieldErrors?: FieldError[];
      headers?: Record<string, string>;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(code);
    this.status = status;
    this.code = code;
    this.params = opts.params ?? {};
    this.fieldErrors = opts.fieldErrors ?? [];
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
  }
}

export const problems = {
  validation: (fieldErrors: FieldError[]) => new Problem(400, 'validation', { fieldErrors }),
  invalidField: (field: string, code: string, params?: Record<string, unknown>) =>
    new Problem(400, 'validation', { fieldErrors: [{ field, code, key: `errors:field.${code}`, params }] }),
  unauthenticated: () => new Problem(401, 'unauthenticated'),
  mfaRequired: () => new Problem(401, 'mfa_required'),
  reauthRequired: () => new Problem(401, 'reauth_required'),
  forbidden: () => new Problem(403, 'forbidden'),
  csrf: () => new Problem(403, 'csrf'),
  notFound: () => new Problem(404, 'not_found'),
  conflict: (code = 'conflict', params?: Record<string, unknown>) => new Problem(409, code, { params }),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new Problem(429, 'too_many_attempts', {
      params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) },
      headers: { 'retry-after': String(retryAfterSeconds) },
      extra: { retryAfterSeconds },
    }),
};
