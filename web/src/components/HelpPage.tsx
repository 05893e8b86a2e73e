import { authority } from '../config';
import { useSession } from '../session';
import { ArrowRightIcon, GlobeIcon, RefreshIcon, ServerIcon, ShieldIcon, UserIcon } from './icons';
import { Card, ExternalLink, MailboxNote } from './ui';

/** The help text: how TravelGuide signs you in, and which token it sends where. */
export function HelpPage() {
  const { config } = useSession();
  return (
    <div className="help">
      <div className="page-head">
        <p className="eyebrow">Help</p>
        <h1>How TravelGuide works</h1>
        <p className="lead">
          Three parts on your machine: this app in your browser, <strong>Poolgate</strong> (the identity provider, speaking
          Amazon Cognito’s API), and the <strong>TravelGuide API</strong> behind Poolgate’s gateway, whose Cognito
          authorizer checks every call before a Lambda-style handler answers it.
        </p>
      </div>

      <ol className="flow" aria-label="The path of a request">
        <li>
          <UserIcon />
          <span>
            <strong>You sign in</strong> with Poolgate and the app receives three tokens.
          </span>
        </li>
        <li aria-hidden="true" className="flow-arrow">
          <ArrowRightIcon />
        </li>
        <li>
          <ShieldIcon />
          <span>
            <strong>The app calls the API</strong> with <code>Authorization: Bearer &lt;id token&gt;</code>.
          </span>
        </li>
        <li aria-hidden="true" className="flow-arrow">
          <ArrowRightIcon />
        </li>
        <li>
          <GlobeIcon />
          <span>
            <strong>The authorizer verifies</strong> the token with Poolgate’s public keys and hands its claims to the handler.
          </span>
        </li>
      </ol>

      <Card title="Which token is sent where, and why" icon={<ShieldIcon />} id="which-token">
        <dl className="token-routes">
          <div>
            <dt>
              <ShieldIcon /> ID token → the TravelGuide API
            </dt>
            <dd>
              <p>
                Every API call carries <code>Authorization: Bearer &lt;id token&gt;</code>. The API’s Cognito authorizer
                accepts an id token from the pool, and the workshop’s handler reads two claims from{' '}
                <code>event['requestContext']['authorizer']['claims']</code>: <code>cognito:username</code>, to greet you,
                and <code>sub</code>, your user id.
              </p>
              <p>
                <strong>Only the id token carries <code>cognito:username</code>.</strong> The access token names you{' '}
                <code>username</code> instead (beside <code>client_id</code> and <code>scope</code>), so the handler’s{' '}
                <code>claims['cognito:username']</code> would find nothing; and on routes without OAuth scopes, such as
                TravelGuide’s, the Cognito authorizer takes only id tokens. So TravelGuide sends the id token. (A route
                configured with OAuth scopes would require an access token instead.)
              </p>
            </dd>
          </div>
          <div>
            <dt>
              <ServerIcon /> Access token → Poolgate
            </dt>
            <dd>
              <p>
                The access token is what Poolgate’s user self-service operations take: <code>GetUser</code> (the “Ask Poolgate
                who I am” button), <code>UpdateUserAttributes</code>, <code>ChangePassword</code>,{' '}
                <code>GlobalSignOut</code>, and <code>/oauth2/userInfo</code> for tokens from the sign-in page. It states what
                the bearer may do (its <code>scope</code>), not who they are in detail.
              </p>
              <p>
                Tokens from the hosted sign-in page carry only the scopes the app asked for ({config.scope}); Poolgate’s
                self-service operations also want <code>aws.cognito.signin.user.admin</code>. Without it, “Sign out
                everywhere” revokes the refresh token with <code>RevokeToken</code> instead of <code>GlobalSignOut</code>.
              </p>
            </dd>
          </div>
          <div>
            <dt>
              <RefreshIcon /> Refresh token → Poolgate only
            </dt>
            <dd>
              <p>
                It is opaque (not a JWT), never goes to the API, and serves one purpose: getting new id and access tokens
                when the current ones are about to expire. TravelGuide does that by itself 60 seconds before the first of
                them expires — through <code>/oauth2/token</code> for a hosted sign-in, or <code>InitiateAuth</code> with{' '}
                <code>REFRESH_TOKEN_AUTH</code> for a sign-in on this app’s own form. A global sign-out revokes it, and
                after that Poolgate answers <q>Refresh Token has been revoked</q>.
              </p>
            </dd>
          </div>
        </dl>
        <p className="muted small">
          The tokens are kept in this tab’s sessionStorage: they are not shared with other tabs and disappear when the tab
          closes.
        </p>
      </Card>

      <div className="two-col">
        <Card title="Two ways to sign in" icon={<UserIcon />}>
          <h3 className="subhead">Continue with Poolgate</h3>
          <p>
            The browser goes to Poolgate’s hosted sign-in page and comes back to <code>/callback</code> with a one-time
            code, which the app exchanges for tokens. This is OpenID Connect’s authorization code flow with PKCE, done by{' '}
            <code>oidc-client-ts</code>: the app never sees your password. The page also offers sign-up and password reset.
          </p>
          <h3 className="subhead">Sign in here</h3>
          <p>
            The app’s own form uses <code>amazon-cognito-identity-js</code>, the library Cognito apps have used for years,
            pointed at Poolgate. It signs in with <code>USER_SRP_AUTH</code> (Secure Remote Password): the browser proves it
            knows the password without sending it. An account an administrator created must choose a new password first.
          </p>
        </Card>
        <Card title="Under the hood" icon={<ServerIcon />}>
          <dl className="facts">
            <div>
              <dt>Issuer</dt>
              <dd>
                <code className="break">{authority(config)}</code>
              </dd>
            </div>
            <div>
              <dt>Discovery</dt>
              <dd>
                <ExternalLink href={`${authority(config)}/.well-known/openid-configuration`}>openid-configuration</ExternalLink>
              </dd>
            </div>
            <div>
              <dt>Signing keys</dt>
              <dd>
                <ExternalLink href={`${authority(config)}/.well-known/jwks.json`}>jwks.json</ExternalLink>
              </dd>
            </div>
            <div>
              <dt>Cognito API</dt>
              <dd>
                <code className="break">POST {config.poolgateUrl}/</code>
              </dd>
            </div>
            <div>
              <dt>TravelGuide API</dt>
              <dd>
                <code className="break">{config.apiUrl}</code>
              </dd>
            </div>
          </dl>
        </Card>
      </div>
      <MailboxNote mailboxUrl={config.mailboxUrl} />
    </div>
  );
}
