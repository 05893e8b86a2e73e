"""Sign-in through third-party identity providers (Cognito developer guide, "User pool
sign-in with third party identity providers").

Modules, in the order a federated sign-in meets them:

- ``providers``: CreateIdentityProvider and its siblings; ``details`` checks each type's
  ``ProviderDetails`` and keeps the secrets sealed; ``endpoints`` is the one table of
  the social providers' fixed URLs (each overridable in ProviderDetails).
- ``state``: what travels to the provider and back (sealed), bound to the browser.
- ``roundtrip``: where the browser goes (``begin``) and what comes back
  (``finish_oauth``, ``finish_saml``).
- ``oidc`` (generic OIDC, Google), ``apple``, ``facebook``, ``amazon``, ``saml`` (with
  ``saml_keys``): each provider's own protocol, ending in a ``ProviderIdentity``.
- ``mapping``: AttributeMapping, from the provider's claims to user pool attributes.
- ``users``: the federated user (``{ProviderName}_{id}``, EXTERNAL_PROVIDER) found,
  created or refreshed; ``linking``: AdminLinkProviderForUser and
  AdminDisableProviderForUser.
- ``http``: the outbound HTTP the protocols need, as a small protocol the composition
  root implements (core imports no HTTP client).
"""
