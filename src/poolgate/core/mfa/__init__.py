"""Second factors and what a sign-in still owes after its first factor.

Every sign-in flow (password, SRP, admin, the hosted pages, NEW_PASSWORD_REQUIRED)
calls ``owed.second_step`` once the user has proven the first factor; tokens are
minted only when it answers nothing (Amazon Cognito developer guide, "Adding MFA to a
user pool"). Refresh is exempt, as in Cognito: a refresh token already stands for a
completed sign-in.

- ``pool_config``  the pool's MFA settings (SetUserPoolMfaConfig, GetUserPoolMfaConfig)
                   and the check that refuses what Poolgate cannot honour
- ``owed``         the decision: nothing, or the challenge the user must answer
"""
