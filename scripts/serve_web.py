"""Serve a built single-page app (web/dist) over HTTP, standard library only.

    python scripts/serve_web.py [--dir web/dist] [--config FILE] [--host 127.0.0.1] [--port 5173]

Files are served as they are; a path that names no file and does not look like one
(no extension: ``/callback``, ``/profile/tokens``) gets ``index.html``, so the app's
own router handles it, as a hosted SPA's fallback does. A missing ``/x.js`` stays a
404: answering HTML for a script would only hide the mistake. ``index.html`` and
``config.json`` are sent with ``Cache-Control: no-store`` (a new build or a new
configuration shows on reload); Vite's hashed ``/assets/`` are cached for good.

``--config FILE`` answers ``/config.json`` from FILE instead of the build's folder:
``scripts/start.sh`` keeps it in the data directory, because ``npm run build`` empties
``web/dist`` and would otherwise take a running demo's configuration with it.
"""

from __future__ import annotations

import argparse
import posixpath
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

NO_STORE = ("/index.html", "/config.json")


class SpaHandler(SimpleHTTPRequestHandler):
    quiet = False
    config_file: Path | None = None

    def translate_path(self, path: str) -> str:
        if self.config_file is not None and urlsplit(path).path == "/config.json":
            return str(self.config_file)
        return super().translate_path(path)

    def send_head(self):  # type: ignore[no-untyped-def]
        path = urlsplit(self.path).path
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            last = posixpath.basename(unquote(path).rstrip("/"))
            if "." in last:
                self.send_error(404, "File not found")
                return None
            # A route of the app: its shell, which reads the path in the browser.
            self.path = "/index.html"
        return super().send_head()

    def end_headers(self) -> None:
        path = urlsplit(self.path).path
        if path == "/" or path in NO_STORE:
            self.send_header("Cache-Control", "no-store")
        elif path.startswith("/assets/"):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        super().end_headers()

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404, "File not found")
        return None

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="web/dist", help="the built app (default web/dist)")
    parser.add_argument(
        "--config", type=Path, help="the file to answer /config.json with (default: in --dir)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5173)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    root = Path(args.dir).resolve()
    if not (root / "index.html").is_file():
        print(
            f"serve_web: {root / 'index.html'} does not exist; build the app first", file=sys.stderr
        )
        return 2
    config = args.config.resolve() if args.config else None
    handler = type("Handler", (SpaHandler,), {"quiet": args.quiet, "config_file": config})
    server = ThreadingHTTPServer((args.host, args.port), partial(handler, directory=str(root)))
    server.daemon_threads = True
    print(f"serve_web: {root} at http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
