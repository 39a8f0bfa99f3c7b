import type { z } from 'zod';
import { type FieldError, problems } from '../kernel/http/problem.ts';

type Where = 'params' | 'query' | 'body';

/** Zod issues as field errors with translation keys: the client gets one message per field. */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], where: Where): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    const prefix = where === 'body' ? '' : `${where}.`;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: prefix + (base ? `${base}.${key}` : key), code: 'unknown_field', key: 'errors:field.unknown_field' });
      }
      continue;
    }
    const field = prefix + base || where;
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ field, code: 'required', key: 'errors:field.required' });
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      const origin = ['string', 'number', 'array'].includes(String(issue.origin)) ? String(issue.origin) : 'number';
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      out.push({ field, code: issue.code, key: `errors:field.${issue.code}_${origin}`, params: { limit: Number(limit) } });
    } else if (issue.code === 'custom') {
      // Custom refinements name their own message key in `message` (e.g. `password_common`).
      const code = /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid';
      out.push({ field, code, key: `errors:field.${code}`, params: issue.params });
    } else if (issue.code === 'invalid_format') {
      const fmt = ['email', 'uuid', 'date', 'url'].includes(String(issue.format)) ? String(issue.format) : 'generic';
      out.push({ field, code: 'invalid_format', key: `errors:field.invalid_format_${fmt}` });
    } else if (issue.code === 'invalid_value') {
      out.push({ field, code: 'invalid_value', key: 'errors:field.invalid_value', params: { options: issue.values.join(', ') } });
    } else {
      out.push({ field, code: 'invalid', key: 'errors:field.invalid' });
    }
  }
  return out;
}

export function parseInput<T>(schema: z.ZodType<T> | undefined, value: unknown, where: Where): T {
  if (!schema) {
    if (where === 'body' && value !== undefined && value !== null) {
      throw problems.validation([{ field: 'body', code: 'unknown_field', key: 'errors:field.no_body' }]);
    }
    return undefined as T;
  }
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw problems.validation(issuesToFieldErrors(result.error.issues, where));
  return result.data;
}
