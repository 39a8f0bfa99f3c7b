import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Database errors carry the statement's parameters (`params`, PGlite) and the offending values
 * (`detail`: "Key (email)=(…) already exists"): personal data. Logged errors keep their type,
 * message, stack and error code, and lose those.
 */
const ERROR_FIELDS_WITH_VALUES = ['params', 'parameters', 'values', 'detail', 'where', 'internalQuery', 'queryOptions'];
function errSerializer(error: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of ERROR_FIELDS_WITH_VALUES) delete out[field];
  // `code` is redacted below (a TOTP code in a body); an error's code is worth keeping.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') out.errorCode = code;
  return out;
}

/**
 * JSON logs. Cookies, tokens, passwords and anything that names a person are redacted; request
 * URLs are logged without their query string (a search can carry a name).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.email',
        '*.name',
        '*.displayName',
        '*.phone',
        '*.token',
        '*.code',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      err: errSerializer,
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
