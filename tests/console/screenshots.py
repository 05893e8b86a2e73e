"""Screenshots of the admin console's main screens into docs/screenshots/
(``console-NAME-desktop.png``, and ``-phone`` for a few), with an axe-core audit of
each printed alongside.

Not part of the test run; run it on its own after changing the console's pages:

    .venv/bin/python tests/console/screenshots.py
    .venv/bin/python tests/console/screenshots.py --out /tmp/shots

It starts its own ``poolgate serve`` on SQLite in a temporary directory, with a
bootstrap administrator, and drives Debian's Chromium.
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

from tests.conftest import cognito_client  # noqa: E402
from tests.console.browser import console_server, screens, seed, sign_in  # noqa: E402
from tests.console.helpers import (  # noqa: E402
    BOOTSTRAP_PASSWORD,
    BOOTSTRAP_USERNAME,
    CHOSEN_PASSWORD,
)
from tests.oauth.helpers import CHROMIUM, CHROMIUM_ARGS, ensure_axe  # noqa: E402
from tests.oauth.hosted_pages import VIEWPORTS, axe_violations, describe  # noqa: E402

# The screens shown in the README and docs; phone shots of a few.
SHOTS = [
    "pools",
    "pool-new",
    "pool",
    "users",
    "user",
    "clients",
    "client",
    "client-new",
    "groups",
    "branding",
    "resource-servers",
    "identity-providers",
    "keys",
    "account",
]
PHONE_SHOTS = ["pools", "users", "pool-new"]


async def shoot(out: Path) -> int:
    axe = ensure_axe()
    out.mkdir(parents=True, exist_ok=True)
    serious = 0
    with tempfile.TemporaryDirectory() as tmp:
        server = console_server(Path(tmp) / "data")
        try:
            seeded = seed(cognito_client(server.url), "TravelGuideUserPool-staging")
            paths = screens(seeded)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
                signing = await browser.new_context(viewport=VIEWPORTS["desktop"])
                page = await signing.new_page()
                await page.goto(f"{server.url}/admin/")
                await page.screenshot(path=str(out / "console-sign-in-desktop.png"))
                await sign_in(
                    page, server.url, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD, CHOSEN_PASSWORD
                )
                state = await signing.storage_state()
                await signing.close()
                for name in SHOTS:
                    for label, viewport in VIEWPORTS.items():
                        if label == "phone" and name not in PHONE_SHOTS:
                            continue
                        context = await browser.new_context(viewport=viewport, storage_state=state)
                        page = await context.new_page()
                        await page.goto(f"{server.url}{paths[name]}")
                        if name == "branding":
                            await page.get_by_label("CSS").fill(
                                ".submitButton-customizable { background-color: #0a7d52; }\n"
                                ".background-customizable { background-color: #eef7f2; }"
                            )
                            await page.wait_for_timeout(1500)  # the live preview
                        path = out / f"console-{name}-{label}.png"
                        await page.screenshot(path=str(path), full_page=True)
                        await context.close()
                        audit = await browser.new_context(
                            viewport=viewport, storage_state=state, bypass_csp=True
                        )
                        page = await audit.new_page()
                        await page.goto(f"{server.url}{paths[name]}")
                        violations = await axe_violations(page, axe)
                        await audit.close()
                        serious += sum(v["impact"] in ("serious", "critical") for v in violations)
                        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                        print(shown)
                        print("  " + (describe(violations).replace("\n", "\n  ") or "axe: none"))
                await browser.close()
        finally:
            server.stop()
    return serious


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    serious = asyncio.run(shoot(args.out))
    if serious:
        sys.exit(f"{serious} serious or critical accessibility violations")


if __name__ == "__main__":
    main()
