// One sign-in with amazon-cognito-identity-js, as an app built on it would make it
// (USER_SRP_AUTH, the library's default), printed as JSON on stdout:
// {"kind": "success" | "newPasswordRequired" | "failure", ...}.
//
//     node first_sign_in.mjs POOLGATE_URL POOL_ID CLIENT_ID USERNAME PASSWORD
//
// Used by tests/console (a user created in the admin console signs in for the first
// time and is asked for a new password).

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';

const [url, poolId, clientId, username, password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: url });
const user = new CognitoUser({ Username: username, Pool: pool });
const report = (result) => console.log(JSON.stringify(result));

user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
  onSuccess: () => report({ kind: 'success' }),
  onFailure: (err) => report({ kind: 'failure', code: err.code, message: err.message }),
  newPasswordRequired: (userAttributes, requiredAttributes) =>
    report({ kind: 'newPasswordRequired', userAttributes, requiredAttributes }),
  mfaRequired: () => report({ kind: 'mfaRequired' }),
  totpRequired: () => report({ kind: 'totpRequired' }),
  mfaSetup: () => report({ kind: 'mfaSetup' }),
});
