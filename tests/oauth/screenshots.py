"""Screenshots of the hosted pages at phone (390x844) and desktop (1280x800) widths,
into docs/screenshots/, with an axe-core audit of each page printed alongside.

Not part of the test run; run it on its own after changing a template:

    .venv/bin/python tests/oauth/screenshots.py            # login, signup, confirm, error
    .venv/bin/python tests/oauth/screenshots.py --all      # every page and state
    .venv/bin/python tests/oauth/screenshots.py --out /tmp/shots

It starts its own ``poolgate serve`` on SQLite in a temporary directory and drives
Debian's Chromium (scripts/ensure-chromium.sh installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests.conftest import Server, cognito_client  # noqa: E402
from tests.oauth.helpers import CHROMIUM, CHROMIUM_ARGS, ensure_axe  # noqa: E402
from tests.oauth.hosted_pages import (  # noqa: E402
    STATES,
    VIEWPORTS,
    axe_violations,
    describe,
    make_site,
)

DEFAULT = ["login", "signup", "confirm", "error"]


async def shoot(server: Server, names: list[str], out: Path) -> int:
    site = make_site(server, cognito_client(server.url))
    axe = ensure_axe()
    out.mkdir(parents=True, exist_ok=True)
    serious = 0
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in names:
            for label, viewport in VIEWPORTS.items():
                # Screenshots in a context that keeps the pages' CSP...
                context = await browser.new_context(viewport=viewport)
                page = await context.new_page()
                await STATES[name](page, site)
                path = out / f"{name}-{label}.png"
                await page.screenshot(path=str(path), full_page=True)
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth"
                )
                await context.close()
                # ...the audit in one that lets axe-core's script in.
                context = await browser.new_context(viewport=viewport, bypass_csp=True)
                page = await context.new_page()
                await STATES[name](page, site)
                violations = await axe_violations(page, axe)
                await context.close()
                serious += sum(v["impact"] in ("serious", "critical") for v in violations)
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
                if overflow:
                    print("  horizontal overflow!")
                print("  " + (describe(violations).replace("\n", "\n  ") or "axe: no violations"))
        await browser.close()
    return serious


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help=f"of {', '.join(STATES)}")
    parser.add_argument("--all", action="store_true", help="every page and state")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    names = list(STATES) if args.all else args.pages or DEFAULT
    unknown = [n for n in names if n not in STATES]
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="poolgate-screenshots-") as tmp:
        server = Server(data_dir=Path(tmp), database_url="")
        server.start()
        try:
            serious = asyncio.run(shoot(server, names, args.out))
        finally:
            server.stop()
    if serious:
        sys.exit(f"{serious} serious or critical accessibility violations")


if __name__ == "__main__":
    main()
