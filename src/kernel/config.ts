import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Haven reads, from the environment, validated once at start.
 * The README's configuration table mirrors this list.
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z.string().url().optional(),
  HAVEN_DATA_DIR: z.string().min(1).default('./data'),
  HAVEN_PUBLIC_URL: z.string().url().optional(),
  HAVEN_TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  HAVEN_MASTER_KEY: z.string().optional(),
  HAVEN_PREVIOUS_MASTER_KEYS: z.string().optional(),
  HAVEN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HAVEN_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  HAVEN_SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  HAVEN_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  HAVEN_DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
  HAVEN_IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1_048_576),
  HAVEN_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//)
    .optional(),
  HAVEN_MAIL_FROM: z.string().min(3).optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  /** True when the public URL is HTTPS: cookies get Secure and responses HSTS. */
  secure: boolean;
  trustProxy: boolean;
  masterKey: string | undefined;
  /** Master keys used before HAVEN_MASTER_KEY, oldest first: their values stay readable until re-sealed. */
  previousMasterKeys: string[];
  logLevel: string;
  bodyLimit: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  dbPoolSize: number;
  /** Largest police export accepted for import. */
  importMaxBytes: number;
  /** Outgoing mail (notices without personal data, e.g. a new escalation); none when unset. */
  smtpUrl: string | undefined;
  /** The sender of Haven's mail. */
  mailFrom: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const previousMasterKeys = (c.HAVEN_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (previousMasterKeys.length && !c.HAVEN_MASTER_KEY) {
    throw new ConfigError('Invalid configuration:\n  HAVEN_PREVIOUS_MASTER_KEYS: only with HAVEN_MASTER_KEY (the key that replaced them)');
  }
  const publicUrl = c.HAVEN_PUBLIC_URL ?? `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`;
  return {
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.HAVEN_DATA_DIR),
    publicUrl: publicUrl.replace(/\/$/, ''),
    secure: publicUrl.startsWith('https://'),
    trustProxy: c.HAVEN_TRUST_PROXY,
    masterKey: c.HAVEN_MASTER_KEY,
    previousMasterKeys,
    logLevel: c.HAVEN_LOG_LEVEL,
    bodyLimit: c.HAVEN_BODY_LIMIT_BYTES,
    sessionIdleMs: c.HAVEN_SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: c.HAVEN_SESSION_ABSOLUTE_HOURS * 3_600_000,
    dbPoolSize: c.HAVEN_DB_POOL_SIZE,
    importMaxBytes: c.HAVEN_IMPORT_MAX_BYTES,
    smtpUrl: c.HAVEN_SMTP_URL,
    mailFrom: c.HAVEN_MAIL_FROM ?? `Haven <haven@${new URL(publicUrl).hostname || 'localhost'}>`,
  };
}
