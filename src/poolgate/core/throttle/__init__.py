"""Throttling: how often one address, one account, or the whole deployment may do
what attackers do in bulk (guess passwords, send codes), answered as Cognito answers
(``TooManyRequestsException``, ``LimitExceededException``).

- ``policy``    the limits (``Rate``: N per period), from the deployment's settings
- ``counters``  fixed-window counters in the store: one atomic upsert per event, so a
                limit holds with ``--workers N`` and across nodes on PostgreSQL
- ``limits``    per address: failed sign-ins, codes sent
- ``decoys``    what an unknown name costs and answers: a lockout and code limits
                like a real user's (PreventUserExistenceErrors)
- ``quotas``    Cognito's per-category request rates (off unless configured)
"""
