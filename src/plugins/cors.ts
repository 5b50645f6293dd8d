import type { Plugin } from 'graphql-yoga';
import type { CorsConfig } from '../config.js';
import { csrfHeader } from './csrf.js';

/** Headers a browser client may send beyond the CORS-safelisted ones (the JSON content type needs a preflight too). */
export const corsAllowedHeaders = ['content-type', 'authorization', 'x-request-id', csrfHeader];

/** Response headers a browser client may read beyond the safelisted ones: the request id, a 429's wait, a 401's challenge. */
export const corsExposedHeaders = ['x-request-id', 'retry-after', 'www-authenticate'];

/**
 * How long a browser may reuse a preflight answer, in seconds. A cached preflight lets the browser send requests
 * (mutations included) without asking again, so an origin removed from CORS_ORIGINS may still send them for this
 * long (it can no longer read the answers at once); 10 minutes saves most preflights of an active page and keeps
 * that window short. Chromium caps the value at 2 hours anyway.
 */
export const corsMaxAgeSeconds = 600;

interface CorsAnswer {
  origin: string;
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  credentials: boolean;
  maxAge: number;
}

/**
 * Yoga's `cors` option: the CORS headers for the request's origin when that origin is allowed, and none at all
 * (false) otherwise, or for every origin when CORS is not configured. Only exact origins match.
 */
export function corsPolicy(cors: CorsConfig | null): (request: Request) => CorsAnswer | false {
  const allowed = cors && cors.origins !== '*' ? new Set(cors.origins) : undefined;
  return (request) => {
    const origin = request.headers.get('origin');
    if (!cors || !origin) return false;
    if (allowed && !allowed.has(origin)) return false;
    return {
      origin,
      methods: ['GET', 'POST'],
      allowedHeaders: corsAllowedHeaders,
      exposedHeaders: corsExposedHeaders,
      // Always explicit: left unset, Yoga sends Access-Control-Allow-Credentials: true to every echoed origin.
      credentials: cors.credentials,
      maxAge: corsMaxAgeSeconds,
    };
  };
}

/**
 * With CORS on, an answer depends on the request's Origin (allowed origins get CORS headers, others none), so a
 * shared cache must key on it: every response says Vary: Origin, as the Fetch standard asks.
 */
export function useVaryOnOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary?.split(',').some((name) => name.trim().toLowerCase() === 'origin')) response.headers.append('vary', 'Origin');
    },
  };
}

/**
 * Whether a browser page from `origin` may use the API outside fetch's CORS checks (a WebSocket upgrade, which
 * browsers send with Origin but never preflight): with CORS_ORIGINS set, only the listed origins and the API's own
 * (same-origin pages such as GraphiQL); clients that send no Origin (not browsers) are not concerned.
 */
export function allowsOrigin(cors: CorsConfig | null, origin: string | undefined, host: string | undefined): boolean {
  if (!cors || origin === undefined || cors.origins === '*') return true;
  if (cors.origins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
