"""Signing in, and what a sign-in produces.

- ``flows``            InitiateAuth / RespondToAuthChallenge: picks the flow
- ``password_auth``    USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted sign-in
- ``srp_auth``         USER_SRP_AUTH and PASSWORD_VERIFIER (the math is in ``srp``)
- ``new_password``     NEW_PASSWORD_REQUIRED
- ``user_auth``        USER_AUTH: choice-based sign-in (SELECT_CHALLENGE)
- ``refresh``          REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken
- ``sign_in``          what every flow shares: the user signing in, failures, and
                       what a proven password leads to (challenges owed, then tokens)
- ``signed_in``        the end of a sign-in: tokens and NewDeviceMetadata
- ``outcome``          a step's result: tokens or the next challenge
- ``explicit_flows``   which ExplicitAuthFlows enable which flow
- ``client_auth``      the calling app client, SECRET_HASH
- ``passwords``        password policy, temporary passwords, the stored verifier
- ``srp``              SRP-6a as Cognito's clients speak it
- ``lockout``          temporary lockout after failed attempts
- ``sessions``         sealed challenge sessions
- ``tokens``           minting and verifying id, access and refresh tokens
- ``revocation``       RevokeToken, AdminUserGlobalSignOut
"""
