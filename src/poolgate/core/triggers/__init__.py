"""User pool Lambda triggers: Cognito's events built, the pool's function invoked
through the functions runtime, and the response applied (developer guide, "Customizing
user pool workflows with Lambda triggers").

- ``invoker``           the runtime as core sees it, and why an invocation failed
- ``lambda_config``     LambdaConfig: ARNs to function names, what Poolgate honours
- ``invoke``            one trigger call: the common event, the 5-second limit,
                        Cognito's errors
- ``sign_up``           PreSignUp, PostConfirmation
- ``authentication``    PreAuthentication, PostAuthentication
- ``token_generation``  PreTokenGeneration V1, V2 and V3
- ``custom_message``    CustomMessage
- ``migration``         UserMigration
- ``custom_auth``       DefineAuthChallenge, CreateAuthChallenge,
                        VerifyAuthChallengeResponse
"""
