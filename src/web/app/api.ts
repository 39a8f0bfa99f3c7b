/**
 * The one way the web app talks to the server: JSON over fetch, same origin, cookie session.
 * - Every non-GET request carries the CSRF token of the current session (x-csrf-token).
 * - Errors arrive as RFC 9457 problem+json, already translated by the server; they become ApiError.
 * - A 401 `unauthenticated` on an ordinary call means the session ended (idle timeout, signed out
 *   elsewhere): the listeners registered with onSessionEnded decide where to go.
 */
import i18n from './i18n.ts';

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export interface ProblemBody {
  title: string;
  detail: string;
  status: number;
  code: string;
  errors?: FieldProblem[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;
  constructor(problem: ProblemBody) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
  get code(): string {
    return this.problem.code;
  }
  /** Field name → translated message, for the form that sent the request. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) if (!out[e.field]) out[e.field] = e.message;
    return out;
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();
const activityListeners = new Set<Listener>();
/** Called when an ordinary API call answers 401 unauthenticated. */
export function onSessionEnded(fn: Listener): () => void {
  sessionEndedListeners.add(fn);
  return () => sessionEndedListeners.delete(fn);
}
/** Called after every answered API call (the server's idle clock restarts then). */
export function onApiActivity(fn: Listener): () => void {
  activityListeners.add(fn);
  return () => activityListeners.delete(fn);
}

/** Calls whose 401 is an expected answer, not the end of a session. */
const QUIET_401 = ['/api/session', '/api/auth/login', '/api/auth/mfa', '/api/setup'];

function clientProblem(code: 'network' | 'internal', status: number): ProblemBody {
  return {
    status,
    code,
    title: i18n.t(`app:problem.${code}.title`),
    detail: i18n.t(`app:problem.${code}.detail`),
  };
}

/** A file sent as the raw body (a signed PDF, a police export), with its media type. */
export interface FileBody {
  data: Blob;
  type: string;
}

async function send(method: string, path: string, body: unknown, file?: FileBody): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': i18n.language };
  if (file) headers['content-type'] = file.type;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(file ? { body: file.data } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function refreshCsrf(): Promise<boolean> {
  try {
    const r = await fetch('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!r.ok) return false;
    const s = (await r.json()) as { csrfToken?: string };
    if (s.csrfToken) csrfToken = s.csrfToken;
    return !!s.csrfToken;
  } catch {
    return false;
  }
}

export async function api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, file?: FileBody): Promise<T> {
  let res: Response;
  try {
    res = await send(method, path, body, file);
    // A token from before a sign-in step: fetch the current one and try once more.
    if (res.status === 403 && method !== 'GET') {
      const p = (await res
        .clone()
        .json()
        .catch(() => null)) as ProblemBody | null;
      if (p?.code === 'csrf' && (await refreshCsrf())) res = await send(method, path, body, file);
    }
  } catch {
    throw new ApiError(clientProblem('network', 0));
  }
  for (const fn of activityListeners) fn();
  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  let problem: ProblemBody;
  try {
    const p = (await res.json()) as Partial<ProblemBody>;
    problem = p && typeof p.code === 'string' ? (p as ProblemBody) : clientProblem('internal', res.status);
  } catch {
    problem = clientProblem('internal', res.status);
  }
  problem.status = res.status;
  const error = new ApiError(problem);
  if (res.status === 401 && problem.code === 'unauthenticated' && !QUIET_401.some((p) => path === p || path.startsWith(`${p}?`))) {
    for (const fn of sessionEndedListeners) fn();
  }
  throw error;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body);
/** PUT a file as the raw body (upload routes take no JSON); answers and problems as for JSON calls. */
export const putFile = <T>(path: string, data: Blob, type: string) => api<T>('PUT', path, undefined, { data, type });

/** `?a=1&b=x` from the defined, non-empty values. */
export function queryString(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
