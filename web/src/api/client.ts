/**
 * The TravelGuide API behind Poolgate's gateway. Every call carries
 * `Authorization: Bearer <id token>` (see TOKEN_FOR in auth/tokens.ts for why the id
 * token), and every answer is turned into words a traveller understands.
 *
 * Routes (relative to config.apiUrl, e.g. http://127.0.0.1:9230/staging):
 *   GET    /hello           the workshop's handler: {"message": "Hello <username>!", "userId": <sub>}
 *   GET    /destinations    a list of destinations
 *   GET    /favourites      the signed-in user's favourite destination ids
 *   PUT    /favourites      add one: body {"destinationId": "..."} (also ?destinationId=)
 *   DELETE /favourites      remove one: the same body and query parameter
 */
import { readBody } from '../http';

export interface ApiCall {
  method: 'GET' | 'PUT' | 'DELETE';
  path: string;
}

/**
 * An answer in words. `renewed`: the first try was refused (401), the session's tokens
 * were refreshed, and this is the answer to the second try with the new id token.
 */
export type ApiResult<T> =
  | { ok: true; status: number; data: T; call: ApiCall; ms: number; renewed?: boolean }
  | { ok: false; status: number | null; message: string; detail: string | null; call: ApiCall; ms: number; renewed?: boolean };

export interface Destination {
  id: string;
  name: string;
  country: string | null;
  description: string | null;
  tags: string[];
  /** Anything else the API sent that is worth a line (best season, rating...). */
  facts: Array<[string, string]>;
}

function str(value: unknown): string | null {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** The text of an error answer: API Gateway's {"message"}, a handler's {"error"}, or plain text. */
export function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.trim() || null;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    return str(b.message) ?? str(b.Message) ?? str(b.error_description) ?? str(b.error);
  }
  return null;
}

/** Plain words for an HTTP status from the gateway. */
export function describeFailure(status: number | null, body: unknown, apiUrl: string): string {
  const said = messageOf(body);
  if (status === null) {
    return `The API is not reachable at ${apiUrl}. Is the gateway running (and does it allow this page's origin)?`;
  }
  switch (status) {
    case 401:
      return 'Your session has expired or was revoked — sign in again.';
    case 403:
      return `The API refused this token (403${said ? `: ${said}` : ''}). The route may require an access token with a particular scope.`;
    case 404:
      return `The API has no such route (404). Check "apiUrl" in config.json: ${apiUrl}.`;
    case 429:
      return 'The API is busy (429: too many requests). Wait a moment and try again.';
    case 502:
      return `The API's handler failed (502${said ? `: ${said}` : ''}). Its log has the details: poolgate logs.`;
    case 503:
      return 'The API is not available right now (503). Try again in a moment.';
    case 504:
      return 'The API took too long to answer (504): its handler timed out.';
    default:
      if (status >= 500) return `The API failed (${status}${said ? `: ${said}` : ''}).`;
      return `The API refused the request (${status}${said ? `: ${said}` : ''}).`;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One request to the API with the given Authorization header value. */
export async function callApi<T = unknown>(
  apiUrl: string,
  authorization: string,
  method: ApiCall['method'],
  path: string,
  body?: unknown,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<ApiResult<T>> {
  const call: ApiCall = { method, path };
  const started = performance.now();
  const headers: Record<string, string> = { Authorization: authorization, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetchImpl(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    return {
      ok: false,
      status: null,
      message: describeFailure(null, null, apiUrl),
      detail: error instanceof Error ? error.message : null,
      call,
      ms: Math.round(performance.now() - started),
    };
  }
  const data = await readBody(response);
  const ms = Math.round(performance.now() - started);
  if (!response.ok) {
    return { ok: false, status: response.status, message: describeFailure(response.status, data, apiUrl), detail: messageOf(data), call, ms };
  }
  return { ok: true, status: response.status, data: data as T, call, ms };
}

// Reading the answers. The handlers are being written alongside this app, so the
// readers accept the usual shapes rather than one exact schema.

/** The greeting: the workshop's {"message": ...}, a JSON string ("Hello alice!"), or text. */
export function helloText(data: unknown): string {
  if (typeof data === 'string') return data;
  const said = messageOf(data) ?? (data && typeof data === 'object' ? str((data as Record<string, unknown>).greeting) : null);
  return said ?? JSON.stringify(data);
}

/** The workshop's handler also answers the caller's `sub` claim as "userId". */
export function helloUserId(data: unknown): string | null {
  return data && typeof data === 'object' ? str((data as Record<string, unknown>).userId) : null;
}

function listOf(data: unknown, keys: string[]): unknown[] {
  if (Array.isArray(data)) return data;
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    for (const key of keys) if (Array.isArray(d[key])) return d[key] as unknown[];
  }
  return [];
}

const FACT_LABELS: Record<string, string> = {
  bestTime: 'Best time',
  best_time: 'Best time',
  bestSeason: 'Best season',
  best_season: 'Best season',
  season: 'Season',
  climate: 'Climate',
  currency: 'Currency',
  language: 'Language',
  rating: 'Rating',
  region: 'Region',
  continent: 'Continent',
  city: 'City',
};

export function parseDestinations(data: unknown): Destination[] {
  const out: Destination[] = [];
  for (const item of listOf(data, ['destinations', 'items', 'Items', 'data'])) {
    if (typeof item === 'string') {
      out.push({ id: item, name: item, country: null, description: null, tags: [], facts: [] });
      continue;
    }
    if (!item || typeof item !== 'object') continue;
    const d = item as Record<string, unknown>;
    const id = str(d.id) ?? str(d.destinationId) ?? str(d.destination_id) ?? str(d.slug) ?? str(d.name);
    if (!id) continue;
    const tags = Array.isArray(d.tags) ? d.tags.map(str).filter((t): t is string => t !== null) : [];
    const facts: Array<[string, string]> = [];
    for (const [key, label] of Object.entries(FACT_LABELS)) {
      const value = str(d[key]);
      if (value) facts.push([label, value]);
    }
    out.push({
      id,
      name: str(d.name) ?? str(d.title) ?? id,
      country: str(d.country) ?? str(d.countryName) ?? null,
      description: str(d.description) ?? str(d.summary) ?? str(d.blurb) ?? null,
      tags,
      facts,
    });
  }
  return out;
}

/** Favourite destination ids: ["kyoto"], [{"destinationId": "kyoto"}], {"favourites": [...]}. */
export function parseFavourites(data: unknown): string[] {
  const ids: string[] = [];
  for (const item of listOf(data, ['favourites', 'favorites', 'items', 'Items', 'destinationIds', 'data'])) {
    const id =
      str(item) ??
      (item && typeof item === 'object'
        ? str((item as Record<string, unknown>).destinationId) ??
          str((item as Record<string, unknown>).destination_id) ??
          str((item as Record<string, unknown>).id)
        : null);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function favouritePath(destinationId: string): string {
  return `/favourites?destinationId=${encodeURIComponent(destinationId)}`;
}

/**
 * Refreshes the session's tokens after a 401 (resolves when the refresh is over,
 * whatever its outcome: the session's new Authorization header tells).
 */
export type Renew = () => Promise<void>;

/**
 * One call, and after a 401 one more with fresh tokens: a token the API refused may
 * have expired, or been damaged, while the refresh token still works. The call is
 * repeated only when the session's Authorization header changed meanwhile (the
 * refresh succeeded, here or in a call that raced this one); a refused refresh ends
 * the session and the 401 stands.
 */
export async function callWithRenewal<T>(
  authorization: () => string,
  renew: Renew | undefined,
  call: (authorization: string) => Promise<ApiResult<T>>,
): Promise<ApiResult<T>> {
  const sent = authorization();
  const first = await call(sent);
  if (first.ok || first.status !== 401 || !renew) return first;
  if (authorization() === sent) await renew();
  const fresh = authorization();
  if (fresh === sent) return first;
  const second = await call(fresh);
  return { ...second, renewed: true, ms: first.ms + second.ms };
}

/** The API with a session's Authorization header bound in, and its renewal after a 401. */
export function apiFor(apiUrl: string, authorization: () => string, fetchImpl?: FetchLike, renew?: Renew) {
  const send = (method: ApiCall['method'], path: string, body?: unknown) =>
    callWithRenewal(authorization, renew, (header) => callApi<unknown>(apiUrl, header, method, path, body, fetchImpl));
  return {
    hello: () => send('GET', '/hello'),
    destinations: () => send('GET', '/destinations'),
    favourites: () => send('GET', '/favourites'),
    addFavourite: (id: string) => send('PUT', favouritePath(id), { destinationId: id }),
    removeFavourite: (id: string) => send('DELETE', favouritePath(id), { destinationId: id }),
  };
}

export type Api = ReturnType<typeof apiFor>;
