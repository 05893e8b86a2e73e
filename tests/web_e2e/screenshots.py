"""Screenshots of the TravelGuide web app's main screens at 1280x800, for the docs.

    .venv/bin/python tests/web_e2e/screenshots.py [--out docs/screenshots]

Starts the same system as the browser tests (stack.py: the example applied to a
temporary copy, Poolgate and its gateway, the web app's build) on the demo's own ports,
9229, 9230 and 5173, so the addresses in the pictures are the ones a reader's
``scripts/start.sh`` shows (stop a running demo first). Writes web-home.png (signed
out), web-sign-in.png (the sign-in form filled in), web-new-password.png (the forced
password change), web-dashboard.png (with the API's hello), web-profile.png (the
profile and the session card), web-tokens.png, and web-tokens-phone.png (390x844).
Not run by pytest.
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

from playwright.async_api import Page, async_playwright, expect  # noqa: E402

from tests.oauth.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.web_e2e.stack import (  # noqa: E402
    DEMO,
    DEMO_PORTS,
    DEMO_TEMPORARY,
    Stack,
    travelguide_stack,
)

CHOSEN = "Chosen-By-Dana-7"


async def shoot(stack: Stack, out: Path) -> list[Path]:
    written: list[Path] = []

    async def save(page: Page, name: str) -> None:
        # Let the fonts, the countdowns and the transitions settle.
        await page.wait_for_timeout(400)
        path = out / f"web-{name}.png"
        await page.screenshot(path=str(path))
        written.append(path)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        page = await context.new_page()

        await page.goto(stack.app_url + "/")
        await expect(page.get_by_role("heading", name="Sign in to TravelGuide")).to_be_visible()
        await save(page, "home")

        signin = page.locator(".signin-card")
        await signin.get_by_label("Email").fill(DEMO)
        await signin.get_by_label("Password", exact=True).fill(DEMO_TEMPORARY)
        await signin.scroll_into_view_if_needed()
        await save(page, "sign-in")
        await signin.get_by_role("button", name="Sign in", exact=True).click()

        await expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
        await page.get_by_label("New password", exact=True).fill(CHOSEN)
        await page.get_by_label("New password, again").fill(CHOSEN)
        await save(page, "new-password")
        await page.get_by_role("button", name="Set password and sign in").click()

        await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
        await page.locator(".hello-card").get_by_role("button", name="Say hello").click()
        await page.locator(".hello-card .speech-bubble").wait_for()
        await page.evaluate("() => window.scrollTo(0, 0)")
        await save(page, "dashboard")
        await page.locator(".two-col").scroll_into_view_if_needed()
        await save(page, "profile")

        nav = page.get_by_role("navigation", name="Main")
        await nav.get_by_role("link", name="Tokens").click()
        await expect(page.get_by_role("heading", name="Your tokens")).to_be_visible()
        await save(page, "tokens")

        # A phone: the claims of the id token fit their card.
        await page.set_viewport_size({"width": 390, "height": 844})
        # The first claims table at the top, below the sticky header.
        await page.evaluate(
            """() => {
                document.querySelector('table.claims').scrollIntoView({block: 'start'});
                window.scrollBy(0, -150);
            }"""
        )
        await save(page, "tokens-phone")

        await context.close()
        await browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="travelguide-shots-") as tmp,
        travelguide_stack(Path(tmp), DEMO_PORTS) as stack,
    ):
        written = asyncio.run(shoot(stack, args.out))
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
