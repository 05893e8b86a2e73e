import { describe, expect, it } from 'vitest';
import { apiFor, callApi, describeFailure, helloText, helloUserId, parseDestinations, parseFavourites, type FetchLike } from './client';

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

  it("reads the workshop handler's answer: the greeting and the user id", () => {
    const answer = { message: 'Hello 7d3c-username!', userId: '7d3c-sub' };
    expect(helloText(answer)).toBe('Hello 7d3c-username!');
    expect(helloUserId(answer)).toBe('7d3c-sub');
    expect(helloUserId('Hello alice!')).toBeNull();
    expect(helloUserId({ message: 'Hello' })).toBeNull();
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

describe('after a 401', () => {
  /** An API that accepts only `valid`, and a session whose header `renew` replaces. */
  function world(valid: string, renewTo: string | null) {
    const seen: string[] = [];
    let header = 'Bearer stale';
    let renewals = 0;
    const fetchImpl: FetchLike = async (_url, init) => {
      const sent = (init?.headers as Record<string, string>).Authorization ?? '';
      seen.push(sent);
      return sent === valid
        ? new Response(JSON.stringify({ destinations: [{ id: 'kyoto' }] }), { status: 200 })
        : new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401 });
    };
    const renew = async () => {
      renewals += 1;
      if (renewTo) header = renewTo;
    };
    const api = apiFor(API, () => header, fetchImpl, renew);
    return { api, seen, renewals: () => renewals, setHeader: (h: string) => (header = h) };
  }

  it('refreshes the tokens and repeats the call with the new id token', async () => {
    const w = world('Bearer fresh', 'Bearer fresh');
    const result = await w.api.destinations();
    expect(result).toMatchObject({ ok: true, status: 200, renewed: true });
    expect(w.seen).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(w.renewals()).toBe(1);
  });

  it('keeps the 401 when the refresh gave no new tokens', async () => {
    const w = world('Bearer fresh', null);
    const result = await w.api.favourites();
    expect(result).toMatchObject({ ok: false, status: 401, message: 'Your session has expired or was revoked — sign in again.' });
    expect(result.renewed).toBeUndefined();
    expect(w.seen).toEqual(['Bearer stale']);
    expect(w.renewals()).toBe(1);
  });

  it('tries once more only: a second 401 stands', async () => {
    const w = world('Bearer never', 'Bearer fresh');
    const result = await w.api.hello();
    expect(result).toMatchObject({ ok: false, status: 401, renewed: true });
    expect(w.seen).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(w.renewals()).toBe(1);
  });

  it('does not refresh again when another call already renewed the tokens', async () => {
    let header = 'Bearer stale';
    const seen: string[] = [];
    const api = apiFor(
      API,
      () => header,
      async (_url, init) => {
        const sent = (init?.headers as Record<string, string>).Authorization ?? '';
        seen.push(sent);
        // While this call was out, another call's 401 refreshed the session.
        if (sent === 'Bearer stale') header = 'Bearer fresh';
        return new Response('{}', { status: sent === 'Bearer fresh' ? 200 : 401 });
      },
      async () => {
        throw new Error('must not refresh twice');
      },
    );
    expect(await api.destinations()).toMatchObject({ ok: true, renewed: true });
    expect(seen).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('does not retry other failures', async () => {
    const seen: string[] = [];
    const api = apiFor(API, () => 'Bearer t', answering(502, { message: 'Internal server error' }, []), async () => {
      seen.push('renew');
    });
    expect(await api.hello()).toMatchObject({ ok: false, status: 502 });
    expect(seen).toEqual([]);
  });
});
