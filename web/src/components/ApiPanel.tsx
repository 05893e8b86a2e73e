import { useCallback, useEffect, useState } from 'react';
import { helloText, helloUserId, parseDestinations, parseFavourites, type ApiResult, type Destination } from '../api/client';
import { useSession } from '../session';
import { ChatIcon, GlobeIcon, HeartIcon, MapPinIcon, RefreshIcon } from './icons';
import { Alert, Button, Card, LiveRegion } from './ui';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** "GET /hello · 200 OK · 12 ms", for the curious. */
function CallLine({ result }: { result: ApiResult<unknown> }) {
  return (
    <p className="call-line">
      <code>
        {result.call.method} {result.call.path.replace(/\?.*/, '')}
      </code>
      <span className={`status-pill ${result.ok ? 'status-ok' : 'status-bad'}`}>
        {result.status === null ? 'no answer' : `${result.status} ${REASONS[result.status] ?? ''}`.trim()}
      </span>
      <span className="muted">
        {result.ms} ms · sent the id token
        {result.renewed ? ' · it was refused (401), so the app refreshed the tokens and sent the new one' : ''}
      </span>
    </p>
  );
}

function Failure({ result, onRetry }: { result: Extract<ApiResult<unknown>, { ok: false }>; onRetry?: () => void }) {
  if (result.status === null) {
    // The panel says it once, in a banner; the card only notes that nothing came back.
    return <p className="inline-failure">No answer from the API.</p>;
  }
  return (
    <Alert tone="error" title={result.message}>
      {result.detail && !result.message.includes(result.detail) ? <p className="alert-detail">The API said: “{result.detail}”</p> : null}
      {onRetry ? (
        <p>
          <button type="button" className="link-button" onClick={onRetry}>
            Try again
          </button>
        </p>
      ) : null}
    </Alert>
  );
}

/** Each card reports its calls, so the panel can say once that the API is unreachable. */
type Report = (result: ApiResult<unknown>) => void;

function Hello({ report }: { report: Report }) {
  const { api } = useSession();
  const [result, setResult] = useState<ApiResult<unknown> | null>(null);
  const [busy, setBusy] = useState(false);
  const sayHello = async () => {
    setBusy(true);
    const answer = await api.hello();
    report(answer);
    setResult(answer);
    setBusy(false);
  };
  return (
    <Card title="Say hello" icon={<ChatIcon />} headingLevel={3} className="hello-card">
      <p className="muted">
        Calls <code>GET /hello</code>: the workshop’s Lambda handler reads your <code>cognito:username</code> and{' '}
        <code>sub</code> claims from the authorizer and answers with a greeting and your user id.
      </p>
      <div className="button-row">
        <Button onClick={() => void sayHello()} busy={busy}>
          Say hello
        </Button>
      </div>
      <LiveRegion>
        {result?.ok ? (
          <div className="speech">
            <p className="speech-bubble">{helloText(result.data)}</p>
            {helloUserId(result.data) ? (
              <p className="hello-user-id">
                <span className="muted">userId</span> <code>{helloUserId(result.data)}</code>
                <span className="muted"> (your </span>
                <code>sub</code>
                <span className="muted">)</span>
              </p>
            ) : null}
          </div>
        ) : null}
        {result && !result.ok ? <Failure result={result} /> : null}
      </LiveRegion>
      {result ? <CallLine result={result} /> : null}
    </Card>
  );
}

/** A colour from the destination's id, so each card looks its own without fetching images. */
function hue(id: string): number {
  let h = 0;
  for (const char of id) h = (h * 31 + char.charCodeAt(0)) % 360;
  return h;
}

function DestinationCard({
  destination,
  favourite,
  pending,
  onToggle,
}: {
  destination: Destination;
  favourite: boolean;
  pending: boolean;
  onToggle: () => void;
}) {
  const h = hue(destination.id);
  return (
    <li className="destination">
      <div
        className="destination-art"
        style={{ background: `linear-gradient(135deg, hsl(${h} 55% 42%), hsl(${(h + 40) % 360} 60% 62%))` }}
        aria-hidden="true"
      >
        <span className="destination-initial">{destination.name.slice(0, 1).toUpperCase()}</span>
      </div>
      <div className="destination-body">
        <div className="destination-head">
          <h4 className="destination-name">{destination.name}</h4>
          <button
            type="button"
            className={`heart${favourite ? ' heart-on' : ''}`}
            aria-pressed={favourite}
            aria-label={`${favourite ? 'Remove' : 'Save'} ${destination.name} ${favourite ? 'from' : 'to'} favourites`}
            onClick={onToggle}
            disabled={pending}
          >
            <HeartIcon />
          </button>
        </div>
        {destination.country ? (
          <p className="destination-country">
            <MapPinIcon /> {destination.country}
          </p>
        ) : null}
        {destination.description ? <p className="destination-text">{destination.description}</p> : null}
        {destination.facts.length ? (
          <dl className="destination-facts">
            {destination.facts.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        {destination.tags.length ? (
          <ul className="chips" aria-label="Tags">
            {destination.tags.map((tag) => (
              <li key={tag} className="chip">
                {tag}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

function Travel({ report, reloadSignal }: { report: Report; reloadSignal: number }) {
  const { api } = useSession();
  const [destinations, setDestinations] = useState<ApiResult<unknown> | null>(null);
  const [favourites, setFavourites] = useState<ApiResult<unknown> | null>(null);
  const [favouriteIds, setFavouriteIds] = useState<string[]>([]);
  const [loading, setLoading] = useState(true);
  const [pending, setPending] = useState<string | null>(null);
  const [lastChange, setLastChange] = useState<ApiResult<unknown> | null>(null);
  const [announce, setAnnounce] = useState('');

  const load = useCallback(async () => {
    setLoading(true);
    const [d, f] = await Promise.all([api.destinations(), api.favourites()]);
    report(d);
    setDestinations(d);
    setFavourites(f);
    if (f.ok) setFavouriteIds(parseFavourites(f.data));
    setLoading(false);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, reloadSignal]);

  const list = destinations?.ok ? parseDestinations(destinations.data) : [];
  const nameOf = (id: string) => list.find((d) => d.id === id)?.name ?? id;

  const toggle = async (id: string) => {
    const adding = !favouriteIds.includes(id);
    setPending(id);
    const result = adding ? await api.addFavourite(id) : await api.removeFavourite(id);
    report(result);
    setLastChange(result);
    if (result.ok) {
      // The answer may hold the new list; otherwise apply the change locally.
      const fromServer = parseFavourites(result.data);
      const next = fromServer.length || Array.isArray(result.data) ? fromServer : adding ? [...favouriteIds, id] : favouriteIds.filter((f) => f !== id);
      setFavouriteIds(next);
      setAnnounce(`${nameOf(id)} ${adding ? 'saved to' : 'removed from'} your favourites.`);
    }
    setPending(null);
  };

  return (
    <>
      <Card
        title="Destinations"
        icon={<GlobeIcon />}
        headingLevel={3}
        className="destinations-card"
        actions={
          <Button variant="ghost" className="btn-small" icon={<RefreshIcon />} busy={loading} onClick={() => void load()}>
            Reload
          </Button>
        }
      >
        {loading && !destinations ? (
          <ul className="destination-grid" aria-hidden="true">
            {[0, 1, 2].map((i) => (
              <li key={i} className="destination skeleton" />
            ))}
          </ul>
        ) : null}
        {destinations && !destinations.ok ? <Failure result={destinations} onRetry={() => void load()} /> : null}
        {destinations?.ok && list.length === 0 ? <p className="muted">The API has no destinations yet.</p> : null}
        {list.length ? (
          <ul className="destination-grid">
            {list.map((destination) => (
              <DestinationCard
                key={destination.id}
                destination={destination}
                favourite={favouriteIds.includes(destination.id)}
                pending={pending === destination.id}
                onToggle={() => void toggle(destination.id)}
              />
            ))}
          </ul>
        ) : null}
        {destinations ? <CallLine result={destinations} /> : null}
      </Card>

      <Card title="Your favourites" icon={<HeartIcon />} headingLevel={3} className="favourites-card">
        <LiveRegion>{announce ? <p className="visually-hidden">{announce}</p> : null}</LiveRegion>
        {favourites && !favourites.ok ? <Failure result={favourites} /> : null}
        {favourites?.ok && favouriteIds.length === 0 ? (
          <p className="muted">No favourites yet. Tap the heart on a destination to keep it here.</p>
        ) : null}
        {favouriteIds.length ? (
          <ul className="favourite-list">
            {favouriteIds.map((id) => (
              <li key={id}>
                <HeartIcon className="heart-small" /> <span>{nameOf(id)}</span>
                <button type="button" className="link-button" onClick={() => void toggle(id)} disabled={pending === id}>
                  Remove<span className="visually-hidden"> {nameOf(id)}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {lastChange && !lastChange.ok ? <Failure result={lastChange} /> : null}
        {lastChange ? <CallLine result={lastChange} /> : favourites ? <CallLine result={favourites} /> : null}
        <p className="muted small">Kept by the API for you alone: it knows who you are from the claims of the token you send.</p>
      </Card>
    </>
  );
}

/** The protected TravelGuide API, called with Authorization: Bearer <id token>. */
export function ApiPanel() {
  const { config } = useSession();
  const [unreachable, setUnreachable] = useState(false);
  const [reloadSignal, setReloadSignal] = useState(0);
  const report = useCallback<Report>((result) => setUnreachable(result.status === null), []);
  return (
    <section className="api-panel" aria-labelledby="api-title">
      <div className="section-head">
        <h2 id="api-title">Your TravelGuide</h2>
        <p className="muted">
          From the API at <code>{config.apiUrl}</code>, behind a Cognito authorizer that only lets signed-in travellers
          through.
        </p>
      </div>
      <LiveRegion>
        {unreachable ? (
          <Alert tone="warning" title={`The API is not reachable at ${config.apiUrl}.`}>
            <p>
              Is the gateway running, and does it allow this page’s origin (CORS)? The rest of TravelGuide works without it:
              your profile, your tokens and signing out talk to Poolgate, not to the API.
            </p>
            <p>
              <button type="button" className="link-button" onClick={() => setReloadSignal((n) => n + 1)}>
                Try again
              </button>
            </p>
          </Alert>
        ) : null}
      </LiveRegion>
      <div className="api-grid">
        <Hello report={report} />
        <Travel report={report} reloadSignal={reloadSignal} />
      </div>
    </section>
  );
}
