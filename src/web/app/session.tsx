/**
 * The signed-in user, their step in signing in, and what they may do. Held in the query cache
 * under ['session']; re-fetched after every sign-in step, because the session id and its CSRF
 * token change then. Also: the idle timeout, and the language saved with the account.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { Permission } from '../../kernel/authz/permissions.ts';
import type { Locale } from '../../kernel/i18n/locales.ts';
import { ApiError, get, onApiActivity, onSessionEnded, post, put, setCsrfToken } from './api.ts';
import i18n, { currentLocale, rememberLocale } from './i18n.ts';
import type { Session } from './types.ts';

export const SESSION_KEY = ['session'] as const;
/** A language picked before signing in is saved to the account once signed in. */
const PICKED_KEY = 'haven.localePicked';

export async function fetchSession(): Promise<Session | null> {
  try {
    const s = await get<Session>('/api/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export type Notice = 'expired' | 'signedOut';

interface SessionApi {
  session: Session | null;
  loading: boolean;
  /** The session could not be asked for (network, server down). */
  sessionError: boolean;
  /** Fetch the session again (after a sign-in step) and return it. */
  refresh(): Promise<Session | null>;
  can(permission: Permission): boolean;
  signOut(): Promise<void>;
  changeLocale(locale: Locale): Promise<void>;
  /** Why the user was last sent to the sign-in page (session ended, signed out), until the next sign-in. */
  notice: { kind: Notice; from?: string } | null;
  clearNotice(): void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Number.POSITIVE_INFINITY, retry: false });
  const session = query.data ?? null;
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const locationRef = useRef(location);
  locationRef.current = location;
  const [notice, setNotice] = useState<SessionApi['notice']>(null);
  const clearNotice = useCallback(() => setNotice(null), []);

  const refresh = useCallback(() => qc.fetchQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 0 }), [qc]);

  const leave = useCallback(
    (notice: Notice) => {
      const loc = locationRef.current;
      const from = notice === 'expired' ? `${loc.pathname}${loc.search}` : undefined;
      // Kept here too: the guard of the page being left may redirect to the sign-in page first.
      setNotice({ kind: notice, ...(from ? { from } : {}) });
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      qc.setQueryData(SESSION_KEY, null);
      setCsrfToken(null);
      navigate('/login', { replace: true, state: { notice, ...(from ? { from } : {}) } });
    },
    [qc, navigate],
  );

  // Any call answering 401 unauthenticated: the session has ended on the server.
  useEffect(
    () =>
      onSessionEnded(() => {
        if (sessionRef.current) leave('expired');
      }),
    [leave],
  );

  // The idle timeout: once the server's idle time has passed without any call, ask the server;
  // if the session is gone, say so at once rather than at the next click.
  const idleSeconds = session?.idleTimeoutSeconds;
  useEffect(() => {
    if (!idleSeconds) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        async () => {
          const s = await refresh().catch(() => sessionRef.current);
          if (!s) leave('expired');
        },
        idleSeconds * 1000 + 5000,
      );
    };
    arm();
    const off = onApiActivity(arm);
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [idleSeconds, refresh, leave]);

  // The language saved with the account wins, unless one was picked just before signing in.
  const userId = session?.user.id;
  const savedLocale = session?.user.locale ?? null;
  useEffect(() => {
    if (!userId) return;
    let picked = false;
    try {
      picked = sessionStorage.getItem(PICKED_KEY) === '1';
      sessionStorage.removeItem(PICKED_KEY);
    } catch {
      // no storage: nothing was picked
    }
    const current = currentLocale();
    if (picked && savedLocale !== current) {
      void put('/api/me/preferences', { locale: current }).then(() => {
        qc.setQueryData<Session | null>(SESSION_KEY, (s) => (s ? { ...s, user: { ...s.user, locale: current } } : s));
      });
    } else if (savedLocale && savedLocale !== current) {
      void i18n.changeLanguage(savedLocale);
      rememberLocale(savedLocale);
    }
  }, [userId, savedLocale, qc]);

  const changeLocale = useCallback(
    async (locale: Locale) => {
      await i18n.changeLanguage(locale);
      rememberLocale(locale);
      if (sessionRef.current) {
        qc.setQueryData<Session | null>(SESSION_KEY, (s) => (s ? { ...s, user: { ...s.user, locale } } : s));
        await put('/api/me/preferences', { locale });
      } else {
        try {
          sessionStorage.setItem(PICKED_KEY, '1');
        } catch {
          // no storage
        }
      }
      // Answers translated by the server (names of problems, …) come again in the new language.
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    },
    [qc],
  );

  const signOut = useCallback(async () => {
    try {
      await post('/api/auth/logout');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    }
    leave('signedOut');
  }, [leave]);

  const value = useMemo<SessionApi>(
    () => ({
      session,
      loading: query.isPending,
      sessionError: query.isError && query.data === undefined,
      refresh,
      can: (p) => !!session && session.state === 'active' && session.permissions.includes(p),
      signOut,
      changeLocale,
      notice,
      clearNotice,
    }),
    [session, query.isPending, query.isError, query.data, refresh, signOut, changeLocale, notice, clearNotice],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Where a session in this state belongs. */
export function homeOf(session: Session | null): string {
  if (!session) return '/login';
  if (session.state === 'mfa_challenge') return '/login/mfa';
  if (session.state === 'mfa_enrolment') return '/enrol';
  return '/';
}
