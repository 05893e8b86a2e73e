"""OAuth 2.0 and OpenID Connect as Cognito's endpoints speak them, a module per part
of the specifications (the HTTP is in ``poolgate.oauth`` and ``poolgate.hosted``):

- ``authorization``           the authorization request (RFC 6749 4.1.1, OIDC 3.1.2)
- ``codes``                   the authorization response: codes, implicit tokens (4.1.2)
- ``pkce``                    RFC 7636
- ``client_authentication``   client_secret_basic / client_secret_post (RFC 6749 2.3)
- ``token``                   the token endpoint's grants (4.1.3, 6, 4.4)
- ``revocation``              RFC 7009
- ``userinfo``                OpenID Connect Core 5.3
- ``errors``                  one class per OAuth error code
"""
