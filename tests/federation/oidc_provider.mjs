// panva's oidc-provider (OpenID Certified) as the upstream OpenID provider of
// tests/federation: one confidential client whose redirect URI is Poolgate's
// /oauth2/idpresponse, client_secret_post as Cognito authenticates, PKCE required,
// and the library's own development sign-in and consent pages (any login works; the
// login becomes the account id).
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@partner.example`,
          email_verified: true,
          name: `${id} (${process.env.GENERATION || '1'})`,
          given_name: id,
          family_name: 'Partner',
        };
      },
    };
  },
  pkce: { required: () => true },
  cookies: { keys: ['poolgate-tests-only'] },
  features: { devInteractions: { enabled: true } },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log('ready');
});
