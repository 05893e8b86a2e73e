"""Request limits against a real server: a large body is refused from its
Content-Length before it is read, a large or crowded head in the HTTP parser; the
gateway has its own (API Gateway's 10 MB) body limit and the same head limits."""

from __future__ import annotations

import contextlib
import socket
import time

import httpx
import psutil

from tests.conftest import Server

TARGET = "AWSCognitoIdentityProviderService.AdminGetUser"


def _rss(server: Server) -> int:
    assert server.process is not None
    process = psutil.Process(server.process.pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def test_a_10_mb_body_is_refused_at_once_without_growing_the_worker(server: Server) -> None:
    httpx.get(server.url + "/health")
    before = _rss(server)
    body = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    for _ in range(3):
        started = time.perf_counter()
        response = httpx.post(
            server.url + "/",
            content=body,
            headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
            timeout=30,
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 413
        assert response.json()["__type"] == "RequestEntityTooLargeException"
        assert response.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
        print(f"10 MB body refused in {elapsed * 1000:.1f} ms")
    grown = _rss(server) - before
    print(f"server processes grew by {grown / 1024:.0f} KiB")
    assert grown < 5 * 1024 * 1024


def test_the_limit_is_on_the_declared_length_and_chunked_bodies_need_one(server: Server) -> None:
    just_over = b"x" * (512 * 1024 + 1)
    assert httpx.post(server.url + "/oauth2/token", content=just_over).status_code == 413

    def chunks() -> object:
        yield b"{}"

    response = httpx.post(
        server.url + "/",
        content=chunks(),  # type: ignore[arg-type]
        headers={"X-Amz-Target": TARGET},
    )
    assert response.status_code == 411


def _raw(server: Server, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
        return received


def test_a_1_mb_header_is_refused(server: Server) -> None:
    huge = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + b"a" * (1024 * 1024)
    answer = _raw(server, huge + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    # Small enough, the same request is served.
    small = (
        b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: abc\r\n"
        b"Connection: close\r\n\r\n"
    )
    assert _raw(server, small).startswith(b"HTTP/1.1 200 ")


def test_too_many_headers_are_refused(server: Server) -> None:
    fields = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    answer = _raw(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
