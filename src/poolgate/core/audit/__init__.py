"""The audit trail: who signed in, signed up, changed or reset a password, had a code
sent, or acted as an administrator; from where, and how it ended.

- ``request_info``  the current request's source address, id, user agent and actor
                    (set by the adapters; core never sees HTTP)
- ``events``        ``record``: one event, stored and written as one structured log line
- ``history``       AdminListUserAuthEvents, UpdateAuthEventFeedback and
                    AdminUpdateAuthEventFeedback over the stored events

An event never carries a password, a code or a token: callers pass only what the
``details`` of an event may show (a flow's name, an error's type and message, a
username).
"""
