/** The session cookie: HttpOnly, SameSite=Strict, and Secure when Haven is served over HTTPS. */
export const SESSION_COOKIE = 'haven_session';
