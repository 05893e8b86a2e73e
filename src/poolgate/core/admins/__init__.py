"""The console's administrators: a user pool of Poolgate's own, which Cognito does not
have (the AWS console signs people in with IAM).

- ``pool``      the administrators' pool and the console's app client: found through
                the deployment's facts, created when the first administrator is,
                kept as the console needs them at every start
- ``accounts``  administrators: ``poolgate admin create``, and the bootstrap
                administrator of POOLGATE_BOOTSTRAP_ADMIN_USERNAME / _PASSWORD

Administrators are ordinary users of that pool: they sign in through the hosted pages
(authorization code with PKCE, the pool's MFA), and change the temporary password
they were given at their first sign-in, as any administrator-created Cognito user.
"""
