"""Headless Chromium for the browser tests, driven by Playwright: always the system's Chromium
(never a browser Playwright downloads), run headless, kept off every host but the loopback one.

`require_chromium()` holds the one rule for a missing browser: the test skips and says how to
install it, but under CI (the CI environment variable set) it fails."""

import contextlib
import importlib.util
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get install chromium fonts-noto-cjk"
ARGS = (
    "--disable-gpu", "--disable-quic", "--no-proxy-server", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
VIEWPORT = {"width": 1280, "height": 900}
LOOPBACK = {"127.0.0.1", "localhost", "::1", None}  # None: about:blank, data:


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium() -> Path:
    """The Chromium to drive. Without it (or without Playwright) the calling test skips, saying
    what to install, but fails when CI is set: there a missing browser is a broken setup."""
    if not os.access(CHROMIUM, os.X_OK):
        missing = f"Chromium is missing ({CHROMIUM}); install it with `{INSTALL}`"
    elif importlib.util.find_spec("playwright") is None:
        missing = "Playwright is missing; install the dev extra with `pip install -e '.[dev]'`"
    else:
        return CHROMIUM
    if in_ci():
        pytest.fail(f"{missing} (CI is set, so a missing browser fails)", pytrace=False)
    pytest.skip(missing)


async def _loopback_only(route: "Route") -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK:
        await route.continue_()
    else:
        await route.abort("internetdisconnected")


@contextlib.asynccontextmanager
async def browser() -> AsyncIterator:
    """A fresh headless Chromium; `await new_page()` opens a page in a context of its own (its
    own cookies: one person each), kept off every host but the loopback one. Closed after."""
    executable = require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable,  # never a downloaded browser
            headless=True,
            chromium_sandbox=False,  # we run as root: --no-sandbox
            args=ARGS,
        )

        async def new_page() -> "Page":
            context = await launched.new_context(viewport=VIEWPORT, device_scale_factor=1)
            context.set_default_timeout(30_000)
            await context.route("**/*", _loopback_only)
            return await context.new_page()

        try:
            yield new_page
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator["Page"]:
    """A fresh headless Chromium and one page in a fresh context (no cookies, 1280 px wide);
    requests to any host but the loopback one are refused. Closed after."""
    async with browser() as new_page:
        yield await new_page()


async def goto(page: "Page", url: str) -> str:
    """Load a page and return its DOM as the browser built it."""
    await page.goto(url)
    return await page.content()


async def submit(page: "Page", form: str, **fields: str) -> str:
    """Fill a form's fields and press its submit button as a person would; the DOM of the page
    it leads to."""
    for name, value in fields.items():
        await page.locator(form).locator(f"[name={json.dumps(name)}]").fill(value)
    async with page.expect_navigation():
        await page.locator(form).locator("button[type=submit]").click()
    return await page.content()
