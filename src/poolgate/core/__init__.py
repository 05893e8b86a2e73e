"""Cognito's behaviour, free of HTTP, SQL and wire shapes.

Every operation takes a ``Context`` (``context.py``: the store, the sealer, the clock,
the sender, the deployment's issuer) and raises the Cognito exception classes of
``errors.py``. Rooms by domain:

- ``pools/``     user pools, their settings and defaults, app clients, domains,
                 resource servers, hosted-page branding
- ``users/``     sign-up, admin-managed users, attributes and their verification,
                 self-service, forgot password, ListUsers
- ``auth/``      the sign-in flows (password, SRP, new password, refresh), what a
                 sign-in owes before tokens, passwords and lockout, tokens, revocation
- ``mfa/``       second factors, passwordless codes, passkeys and remembered devices:
                 what a sign-in still owes before tokens
- ``groups/``    groups, memberships and the group claims of tokens
- ``keys/``      signing keys, their cache, and the pools' JWKS
- ``oauth/``     OAuth 2.0 / OpenID Connect, a module per specification part
- ``messages/``  one-time codes, where messages go, templates, senders, the outbox
- ``admins/``    the admin console's administrators: their pool, its console client,
                 the first administrator (Poolgate's own; Cognito has no such pool)

Shared modules: ``errors``, ``context``, ``clock``, ``ids``, ``pagination`` and
``records`` (the store's records as core's callers see them).
"""
