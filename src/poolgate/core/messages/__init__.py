"""Messages to users.

- ``codes``       one-time codes: issued, hashed, single use, attempt limits
- ``delivery``    where a user's codes and invitations go, from the pool's settings
- ``templates``   Cognito's default texts, placeholders, masked addresses
- ``senders``     the ``Sender`` protocol, the outbox sender, routing by channel
- ``outbox``      reading the outbox (developer mailbox, ``poolgate mailbox``)

Transports to the outside world (SMTP) live outside core, in ``poolgate.mail``.
"""
