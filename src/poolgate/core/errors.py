"""Cognito's exceptions, one class each.

Every error Poolgate answers is one of these. ``message`` is the public text a client
sees (and keys on, so it matches Cognito's wording where client code depends on it);
``detail`` is private context for the server log only.

Tree::

    CognitoError
      +-- <one class per exception shape in botocore's cognito-idp model>
      +-- AuthError            (the request's AWS credentials were refused)
      |     +-- MissingAuthenticationTokenException
      |     +-- IncompleteSignatureException
      |     +-- UnrecognizedClientException
      |     +-- InvalidSignatureException
      +-- SerializationException, UnknownOperationException (wire-level)
"""

from __future__ import annotations


class CognitoError(Exception):
    """Base of every error that reaches a client with a Cognito ``__type``."""

    status: int = 400

    def __init__(self, message: str = "", *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    @property
    def code(self) -> str:
        return type(self).__name__


class AccessDeniedException(CognitoError):
    pass


class AliasExistsException(CognitoError):
    pass


class CachedCIMDURLDoesNotExistException(CognitoError):
    pass


class CodeDeliveryFailureException(CognitoError):
    pass


class CodeMismatchException(CognitoError):
    pass


class ConcurrentModificationException(CognitoError):
    pass


class DeviceKeyExistsException(CognitoError):
    pass


class DuplicateProviderException(CognitoError):
    pass


class EnableSoftwareTokenMFAException(CognitoError):
    pass


class ExpiredCodeException(CognitoError):
    pass


class FeatureUnavailableInTierException(CognitoError):
    pass


class ForbiddenException(CognitoError):
    pass


class GroupExistsException(CognitoError):
    pass


class InternalErrorException(CognitoError):
    status = 500


class InternalServerException(CognitoError):
    status = 500


class InvalidEmailRoleAccessPolicyException(CognitoError):
    pass


class InvalidLambdaResponseException(CognitoError):
    pass


class InvalidOAuthFlowException(CognitoError):
    pass


class InvalidParameterException(CognitoError):
    pass


class InvalidPasswordException(CognitoError):
    pass


class InvalidSmsRoleAccessPolicyException(CognitoError):
    pass


class InvalidSmsRoleTrustRelationshipException(CognitoError):
    pass


class InvalidUserPoolConfigurationException(CognitoError):
    pass


class LimitExceededException(CognitoError):
    pass


class MFAMethodNotFoundException(CognitoError):
    pass


class ManagedLoginBrandingExistsException(CognitoError):
    pass


class NotAuthorizedException(CognitoError):
    pass


class OperationNotEnabledException(CognitoError):
    pass


class PasswordHistoryPolicyViolationException(CognitoError):
    pass


class PasswordResetRequiredException(CognitoError):
    pass


class PreconditionNotMetException(CognitoError):
    pass


class RefreshTokenReuseException(CognitoError):
    pass


class ResourceNotFoundException(CognitoError):
    pass


class ScopeDoesNotExistException(CognitoError):
    pass


class ServiceQuotaExceededException(CognitoError):
    pass


class SoftwareTokenMFANotFoundException(CognitoError):
    pass


class TermsExistsException(CognitoError):
    pass


class TierChangeNotAllowedException(CognitoError):
    pass


class TooManyFailedAttemptsException(CognitoError):
    pass


class TooManyRequestsException(CognitoError):
    pass


class UnauthorizedException(CognitoError):
    pass


class UnexpectedLambdaException(CognitoError):
    pass


class UnsupportedIdentityProviderException(CognitoError):
    pass


class UnsupportedOperationException(CognitoError):
    pass


class UnsupportedTokenTypeException(CognitoError):
    pass


class UnsupportedUserStateException(CognitoError):
    pass


class UserImportInProgressException(CognitoError):
    pass


class UserLambdaValidationException(CognitoError):
    pass


class UserNotConfirmedException(CognitoError):
    pass


class UserNotFoundException(CognitoError):
    pass


class UserPoolAddOnNotEnabledException(CognitoError):
    pass


class UserPoolTaggingException(CognitoError):
    pass


class UsernameExistsException(CognitoError):
    pass


class WebAuthnChallengeNotFoundException(CognitoError):
    pass


class WebAuthnClientMismatchException(CognitoError):
    pass


class WebAuthnConfigurationMissingException(CognitoError):
    pass


class WebAuthnCredentialNotSupportedException(CognitoError):
    pass


class WebAuthnNotEnabledException(CognitoError):
    pass


class WebAuthnOriginNotAllowedException(CognitoError):
    pass


class WebAuthnRelyingPartyMismatchException(CognitoError):
    pass


# Wire-level and authentication errors: not in the model's shapes, but what AWS's
# front door answers for every JSON service.


class SerializationException(CognitoError):
    pass


class UnknownOperationException(CognitoError):
    pass


class AuthError(CognitoError):
    """The request's AWS Signature Version 4 credentials were refused.

    HTTP statuses follow AWS's "Common Errors" reference: 403 for a missing token,
    an unknown key or a wrong signature, 400 for a malformed signature.
    """

    status = 403


class MissingAuthenticationTokenException(AuthError):
    pass


class IncompleteSignatureException(AuthError):
    status = 400


class UnrecognizedClientException(AuthError):
    pass


class InvalidSignatureException(AuthError):
    pass
