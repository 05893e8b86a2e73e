"""``poolgate apply``: a project's identity setup, declared in a TOML file, made so.

The file uses Cognito's API member names, so settings copy over from AWS's docs::

    [[pools]]              # CreateUserPool members: PoolName, Policies, Schema...
    [[pools.clients]]      # CreateUserPoolClient members: ClientName, ExplicitAuthFlows...
    [pools.domain]         # CreateUserPoolDomain members: Domain, ManagedLoginVersion
    [[pools.identity_providers]]  # CreateIdentityProvider members: ProviderName,
                           # ProviderType, ProviderDetails, AttributeMapping, IdpIdentifiers
    [[pools.groups]]       # CreateGroup members: GroupName, Description, Precedence, RoleArn
    [[pools.users]]        # AdminCreateUser members: Username, UserAttributes,
                           # TemporaryPassword; and Groups = [...], Password + Permanent

Capitalised keys are API members; lower-case keys are Poolgate's own nesting. A user's
``Groups`` lists AdminAddUserToGroup's GroupName for each group, and ``Password`` with
``Permanent = true`` are AdminSetUserPassword's members (a confirmed account). Resources
are matched by name (pools by PoolName, clients by ClientName within their pool, the
domain by Domain, groups by GroupName, users by Username, which may be an email or phone
number the pool signs in with) and nothing the file does not mention is touched or
deleted. When several pools share a PoolName (Cognito allows it), apply manages the
oldest, the one it created or adopted first, and says so in its report.

Users are created once, with AdminCreateUser's ``MessageAction = "SUPPRESS"`` (apply
sends no invitation), so the file must give the password: ``TemporaryPassword`` (the
user chooses a new one at the first sign-in) or ``Password`` with ``Permanent = true``.
A user who exists already is left as they are (``unchanged``): apply never resets a
password a person may have changed, nor their attributes; it only adds them to the
file's groups they are missing (``updated``). Groups are created, or updated with
UpdateGroup's semantics: the members the file gives are set, the others kept.

Applying runs in three stages so that a file with any mistake changes nothing:

1. check the document against botocore's model (types, unknown keys, constraints);
2. plan: read what exists and build each resource's desired configuration with core's
   own builders (``pool_settings``, ``client_settings``), so Cognito's defaults and
   semantic checks apply before anything is written, and refuse what cannot be done
   (clients sharing a name, create-only settings that differ);
3. execute through the core operations, skipping unchanged resources so their
   LastModifiedDate stays.

Each resource kind has its own module (``pools``, ``identity_providers``, ``clients``,
``domains``, ``groups``, ``users``) with its check, plan and execute functions;
``checks`` holds the checks against botocore's model they share, ``run`` the three
stages, ``gateway`` the ``[[functions]]`` and ``[[apis]]`` hook and ``report`` the
results.

``[[functions]]`` and ``[[apis]]`` (the API gateway) are configuration, not stored
state: apply validates them with the rest of the file and reports them as
``configured``; ``poolgate serve --config FILE --gateway-port PORT`` loads them.
"""

from poolgate.apply.report import ApplyError, ApplyReport, Result
from poolgate.apply.run import apply, check

__all__ = ["ApplyError", "ApplyReport", "Result", "apply", "check"]
