import { describe, expect, it } from 'vitest';
import { apiFor, callApi, describeFailure, helloText, parseDestinations, parseFavourites, type FetchLike } from './client';

const API = 'http://127.0.0.1:9230/staging';

function answering(status: number, body: unknown, seen: Array<{ url: string; init?: RequestInit }> = []): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
}

describe('callApi', () => {
  it('sends the Authorization header it is given and reads JSON', async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    const result = await callApi(API, 'Bearer id.token.here', 'GET', '/hello', undefined, answering(200, 'Hello alice!', seen));
    expect(result).toMatchObject({ ok: true, status: 200, data: 'Hello alice!', call: { method: 'GET', path: '/hello' } });
    expect(seen[0]?.url).toBe(`${API}/hello`);
    expect((seen[0]?.init?.headers as Record<string, string>).Authorization).toBe('Bearer id.token.here');
  });

  it('puts a JSON body on PUT and DELETE of a favourite', async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    const api = apiFor(API, () => 'Bearer t', answering(200, ['kyoto'], seen));
    await api.addFavourite('kyoto');
    await api.removeFavourite('kyoto');
    expect(seen.map((s) => [s.init?.method, s.url, s.init?.body])).toEqual([
      ['PUT', `${API}/favourites?destinationId=kyoto`, '{"destinationId":"kyoto"}'],
      ['DELETE', `${API}/favourites?destinationId=kyoto`, '{"destinationId":"kyoto"}'],
    ]);
  });

  it('explains a 401 in plain words', async () => {
    const result = await callApi(API, 'Bearer x', 'GET', '/hello', undefined, answering(401, { message: 'Unauthorized' }));
    expect(result).toMatchObject({ ok: false, status: 401, message: 'Your session has expired or was revoked — sign in again.', detail: 'Unauthorized' });
  });

  it('explains an unreachable API', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const result = await callApi(API, 'Bearer x', 'GET', '/destinations', undefined, failing);
    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(!result.ok && result.message).toMatch(/^The API is not reachable at http:\/\/127\.0\.0\.1:9230\/staging\./);
  });
});

describe('describeFailure', () => {
  it.each([
    [403, { message: 'Forbidden' }, /refused this token \(403: Forbidden\)/],
    [404, null, /no such route \(404\)/],
    [502, { message: 'Internal server error' }, /handler failed \(502: Internal server error\)/],
    [504, null, /timed out/],
    [418, 'teapot', /refused the request \(418: teapot\)/],
  ])('%i', (status, body, expected) => {
    expect(describeFailure(status, body, API)).toMatch(expected);
  });
});

describe('reading answers', () => {
  it('reads the greeting', () => {
    expect(helloText('Hello alice!')).toBe('Hello alice!');
    expect(helloText({ message: 'Hello bob!' })).toBe('Hello bob!');
    expect(helloText({ other: 1 })).toBe('{"other":1}');
  });

  it('reads destinations in the usual shapes', () => {
    const one = { id: 'kyoto', name: 'Kyoto', country: 'Japan', description: 'Temples.', tags: ['culture'], bestTime: 'April' };
    expect(parseDestinations([one])).toEqual([
      { id: 'kyoto', name: 'Kyoto', country: 'Japan', description: 'Temples.', tags: ['culture'], facts: [['Best time', 'April']] },
    ]);
    expect(parseDestinations({ destinations: [one] })).toHaveLength(1);
    expect(parseDestinations({ items: [{ destinationId: 'x', title: 'X' }] })[0]).toMatchObject({ id: 'x', name: 'X' });
    expect(parseDestinations(['Lisbon'])[0]).toMatchObject({ id: 'Lisbon', name: 'Lisbon' });
    expect(parseDestinations({ nothing: true })).toEqual([]);
    expect(parseDestinations([null, 3, {}])).toEqual([]);
  });

  it('reads favourites in the usual shapes', () => {
    expect(parseFavourites(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(parseFavourites({ favourites: [{ destinationId: 'a' }, { id: 'b' }] })).toEqual(['a', 'b']);
    expect(parseFavourites({ favorites: ['c'] })).toEqual(['c']);
    expect(parseFavourites(null)).toEqual([]);
  });
});
