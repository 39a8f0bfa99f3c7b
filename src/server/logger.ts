import pino, { type Logger } from 'pino';

/**
 * JSON logs. Cookies, tokens, passwords and anything that names a person are redacted; request
 * URLs are logged without their query string (a search can carry a name).
 */
export function createLogger(level: string): Logger {
  return pino({
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
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
    },
  });
}
