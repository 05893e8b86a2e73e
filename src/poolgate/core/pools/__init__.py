"""User pools and what hangs off them.

- ``pools``              CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool,
                         DeleteUserPool, tags, AddCustomAttributes
- ``pool_settings``      a pool's configuration with Cognito's documented defaults
- ``clients``            app clients (CreateUserPoolClient ... DeleteUserPoolClient)
- ``domains``            CreateUserPoolDomain, DescribeUserPoolDomain, DeleteUserPoolDomain
- ``resource_servers``   resource servers and their custom scopes
- ``ui_customization``   SetUICustomization, GetUICustomization
"""
