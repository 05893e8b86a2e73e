"""The developer mailbox: the outbox of messages, read over HTTP (``/_mailbox``) and
from the command line (``poolgate mailbox``)."""

from poolgate.mailbox.routes import mailbox_routes, message_json

__all__ = ["mailbox_routes", "message_json"]
