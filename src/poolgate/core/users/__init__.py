"""Users: who they are, how they join, and what they and administrators change.

- ``lookup``              finding users by username or alias; statuses; index keys
- ``attributes``          attributes checked against the pool's schema
- ``signup``              SignUp, ConfirmSignUp, ResendConfirmationCode,
                          AdminConfirmSignUp
- ``admin_users``         AdminCreateUser, AdminSetUserPassword, AdminGetUser,
                          AdminDeleteUser, AdminDisableUser, AdminEnableUser,
                          AdminResetUserPassword
- ``attribute_changes``   UpdateUserAttributes, VerifyUserAttribute,
                          DeleteUserAttributes and their Admin versions
- ``self_service``        what a user does with an access token (GetUser,
                          ChangePassword, DeleteUser, GlobalSignOut, ...)
- ``forgot_password``     ForgotPassword, ConfirmForgotPassword
- ``user_search``         ListUsers and its filter syntax
"""
