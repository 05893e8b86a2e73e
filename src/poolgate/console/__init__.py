"""The admin console at ``/admin/``: the AWS console's Cognito pages, in Poolgate's own
web UI, server-rendered (Jinja2) with one small script for what a script does better
(docs/decisions.md, "The admin console").

In the order a request meets them:

- ``routes``              the addresses, and which need a session
- ``signin``              signing in through the administrators' pool (code + PKCE on
                          the hosted pages), the callback, signing out
- ``session``             the sealed session cookie, the CSRF token, the administrator
- ``view``                what every page shares: the checks before it runs, rendering
- ``operations``          the admin API: Cognito's operations run as ``POST /`` runs
                          them (model validation, handler, audit), under the
                          administrator's name
- ``render``              templates, security headers, the notice after a post

The pages, one module per part of the AWS console:

- ``pools`` and ``pool_form``       user pools: list, guided creation, settings, deletion
- ``clients`` and ``client_form``   app clients
- ``users``                         search (ListUsers filters, server-side pages), users
- ``groups``                        groups and their members
- ``branding``                      the domain, hosted-UI branding and its live preview
- ``resource_servers``              resource servers and custom scopes
- ``identity_providers``            OIDC, SAML and social providers
- ``triggers``                      Lambda triggers, from the declared ``[[functions]]``
- ``keys``                          signing keys and their rotation
- ``account``                       the administrator's password, authenticator, sessions
"""
