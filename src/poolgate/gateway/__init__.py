"""The API gateway: HTTP routes in front of Lambda-style handlers (or an HTTP upstream),
behind a Cognito authorizer, answering as Amazon API Gateway does.

Routes are configuration, not stored state: ``[[functions]]`` and ``[[apis]]`` in the
TOML file given to ``poolgate serve --config FILE --gateway-port PORT`` (see
``gateway/config.py``); ``poolgate apply`` only validates them.

Modules, in the order a request meets them:

- ``config``      the ``[[functions]]`` / ``[[apis]]`` tables, parsed and validated
- ``routing``     stage prefix, ``{param}`` / ``{proxy+}`` templates, route precedence
- ``cors``        preflight answers and CORS headers per API
- ``authorizer``  ``COGNITO_USER_POOLS`` (REST API) and ``JWT`` (HTTP API) authorizers
- ``jwks``        issuers' key sets fetched over HTTP, cached, refetched on a new ``kid``
- ``claims``      how each API type stringifies token claims for the integration
- ``events``      proxy integration events, payload format 1.0 and 2.0
- ``responses``   handler results to HTTP responses; API Gateway's own error answers
- ``upstream``    the HTTP proxy integration
- ``app``         the Starlette listener tying them together
- ``serving``     running the identity provider and the gateway in one process
"""
