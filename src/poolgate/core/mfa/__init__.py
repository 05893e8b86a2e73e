"""Second factors, passwordless sign-in, passkeys and remembered devices: what a
sign-in still owes after its first factor.

Every sign-in flow (password, SRP, admin, USER_AUTH, the hosted pages,
NEW_PASSWORD_REQUIRED) ends in ``core.auth.sign_in.finish``, which asks
``owed.second_step`` before tokens are minted (Amazon Cognito developer guide, "Adding
MFA to a user pool"). Refresh is exempt, as in Cognito: a refresh token already stands
for a completed sign-in. A flow that proves the first factor its own way (CUSTOM_AUTH)
calls ``owed.second_step`` and then ``core.auth.signed_in.signed_in`` the same way.

- ``owed``            the decision: nothing, or the challenge the user must answer
- ``pool_config``     SetUserPoolMfaConfig / GetUserPoolMfaConfig, and the refusal of
                      any setting Poolgate cannot honour
- ``user_factors``    a user's factors and preference; GetUserAuthFactors
- ``challenges``      the MFA and one-time-code challenges and their answers
- ``totp``            RFC 6238 codes (cryptography), drift window, otpauth URIs
- ``software_token``  AssociateSoftwareToken / VerifySoftwareToken, TOTP checks
- ``otp_codes``       SMS and email sign-in codes through the deployment's sender
- ``devices``         remembered devices (NewDeviceMetadata, ConfirmDevice, ...)
- ``device_auth``     DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
- ``passkeys``        WebAuthn registration and the WEB_AUTHN challenge (py_webauthn)
- ``operations``      the MFA operations a user or an administrator calls
"""
