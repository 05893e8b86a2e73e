// aws-jwt-verify judges the tokens Poolgate issued after a federated sign-in: reads
// [{token, issuer, clientId, use}] as JSON on stdin, prints the verified payloads (or
// {"error": ...}) as JSON. The JWKS is fetched from Poolgate with Node's fetch (the
// library's default fetcher refuses http://; see tests/node/clients.test.mjs).
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

class GlobalFetchFetcher {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: status ${response.status}`);
    return response.arrayBuffer();
  }
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const { token, issuer, clientId, use } of JSON.parse(input)) {
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const jwksCache = new SimpleJwksCache({ fetcher: new GlobalFetchFetcher() });
  const verifier = JwtRsaVerifier.create(
    use === 'id'
      ? { issuer, audience: clientId, jwksUri }
      : {
          issuer,
          audience: null,
          jwksUri,
          customJwtCheck: ({ payload }) =>
            validateCognitoJwtFields(payload, { tokenUse: 'access', clientId }),
        },
    { jwksCache },
  );
  try {
    results.push(await verifier.verify(token));
  } catch (error) {
    results.push({ error: `${error.name}: ${error.message}` });
  }
}
console.log(JSON.stringify(results));
