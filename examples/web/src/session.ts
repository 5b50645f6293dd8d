/** Who the app acts for: a user id, and the bearer token when the API requires one (AUTH_JWT_SECRET and friends). */
export interface Session {
  userId: string;
  token?: string;
}

const storageKey = 'taskgraph.session';

/** The token's subject (`sub`), which is the only user it may act for; undefined when it is not a readable JWT. */
export function subjectOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && 'sub' in claims && typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

// Per tab: two tabs can follow two users.
export function storedSession(): Session | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null');
    if (typeof value !== 'object' || value === null || !('userId' in value) || typeof value.userId !== 'string') return null;
    const token = 'token' in value && typeof value.token === 'string' ? value.token : undefined;
    return { userId: value.userId, token };
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
  else sessionStorage.removeItem(storageKey);
}
