"""OAuth 2.0 errors, one class each, as the endpoints send them back: to the client's
redirect URI (RFC 6749 4.1.2.1, 4.2.2.1) or in the token endpoint's JSON body (RFC 6749
5.2), plus the codes OpenID Connect (login_required), RFC 7009 and RFC 6750 add.

``OAuthError``
  ``InvalidRequest`` (400)            a parameter is missing, repeated or malformed
  ``InvalidClient`` (401)             client authentication failed; never redirected
  ``InvalidGrant`` (400)              the code or refresh token is invalid, expired, used
  ``UnauthorizedClient`` (400)        the client may not use this grant or response type
  ``UnsupportedGrantType`` (400)      the grant_type is not one the server knows
  ``UnsupportedResponseType`` (400)   the response_type is not code or token
  ``InvalidScope`` (400)              a requested scope is unknown or not allowed
  ``LoginRequired`` (400)             prompt=none and nobody is signed in (OIDC Core 3.1.2.6)
  ``UnsupportedTokenType`` (400)      revocation of a token type that cannot be revoked
  ``InsufficientScope`` (403)         userInfo with a token lacking openid (RFC 6750 3.1)
  ``RedirectMismatch`` (400)          Cognito's answer to an unregistered redirect_uri;
                                      never redirected
  ``UnsupportedOperation`` (400)      Cognito's answer when revocation is disabled

``description`` is the readable text sent as ``error_description``. ``redirect`` says
whether the error may travel to the client's redirect URI: one about the client or the
redirect URI itself never does (RFC 6749 4.1.2.1).
"""

from __future__ import annotations


class OAuthError(Exception):
    error = "server_error"
    status = 400
    redirect = True

    def __init__(self, description: str = "", *, redirect: bool | None = None) -> None:
        super().__init__(description or self.error)
        self.description = description
        if redirect is not None:
            self.redirect = redirect


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"
    status = 401
    redirect = False

    def __init__(self, description: str = "Client authentication failed.") -> None:
        super().__init__(description)


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class LoginRequired(OAuthError):
    error = "login_required"


class UnsupportedTokenType(OAuthError):
    error = "unsupported_token_type"
    redirect = False


class InsufficientScope(OAuthError):
    error = "insufficient_scope"
    status = 403


class RedirectMismatch(OAuthError):
    error = "redirect_mismatch"
    redirect = False


class UnsupportedOperation(OAuthError):
    error = "unsupported_operation"
    redirect = False


class AccessDenied(OAuthError):
    """The user or the identity provider refused the sign-in (RFC 6749 4.1.2.1)."""

    error = "access_denied"
