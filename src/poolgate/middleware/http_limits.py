"""Limits on a request's head (request line and headers), in the HTTP parser, before
any of it reaches the application: uvicorn's httptools protocol keeps accumulating a
header of any size (a 16 MB ``Authorization`` was accepted), and its h11 protocol only
has ``h11_max_incomplete_event_size``. A head over ``max_header_bytes``, or with more
than ``max_headers`` fields, is answered 431 and the connection closed.

The bytes are counted as they arrive (``data_received``), so an oversized head is
refused once the limit is passed, not after it was buffered whole.
"""

from __future__ import annotations

from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed: uvicorn uses h11
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

_BODY = b"Request header fields too large\n"
_REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


def uvicorn_options(max_header_bytes: int, max_headers: int) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments that enforce the limits."""
    if HttpToolsProtocol is None:
        return {"http": "h11", "h11_max_incomplete_event_size": max_header_bytes}
    return {"http": limited_protocol(max_header_bytes, max_headers)}


def limited_protocol(max_header_bytes: int, max_headers: int) -> type[Any]:
    assert HttpToolsProtocol is not None

    class LimitedHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        _head_bytes = 0
        _in_head = True
        _refused = False

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            # Still inside the head after this chunk, and already past the limit.
            if not self._refused and self._in_head and self._head_bytes > max_header_bytes:
                self._refuse()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True

        def on_header(self, name: bytes, value: bytes) -> None:
            if self._refused:
                return
            super().on_header(name, value)
            if len(self.headers) > max_headers:
                self._refuse()

        def on_headers_complete(self) -> None:
            if self._refused:
                return
            size = len(self.url) + sum(len(k) + len(v) + 4 for k, v in self.headers)
            if size > max_header_bytes:
                self._refuse()
                return
            self._in_head = False
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if self._refused:
                return
            super().on_message_complete()
            self._in_head = True
            self._head_bytes = 0

        def _refuse(self) -> None:
            self._refused = True
            if not self.transport.is_closing():
                self.transport.write(_REFUSAL)
                self.transport.close()

    return LimitedHttpToolsProtocol
