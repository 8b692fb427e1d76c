"""A headless Chromium driven over the Chrome DevTools protocol: navigate, read the DOM, run a line
of script, take full-page screenshots. It needs only the `websockets` package uvicorn brings."""

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import websockets

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--no-proxy-server", "--remote-debugging-port=0", "--window-size=1280,900",
)  # fmt: skip
WIDTH = 1280


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


class Browser:
    def __init__(self, socket) -> None:  # noqa: ANN001
        self._socket = socket
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._loaded = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._socket:
                message = json.loads(raw)
                if "id" in message and message["id"] in self._waiting:
                    self._waiting.pop(message["id"]).set_result(message)
                elif message.get("method") == "Page.loadEventFired":
                    self._loaded.set()

    async def send(self, method: str, **params) -> dict:
        n = next(self._ids)
        self._waiting[n] = asyncio.get_running_loop().create_future()
        await self._socket.send(json.dumps({"id": n, "method": method, "params": params}))
        async with asyncio.timeout(30):
            answer = await self._waiting[n]
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    async def _until_loaded(self, act) -> None:  # noqa: ANN001
        self._loaded.clear()
        await act
        async with asyncio.timeout(30):
            await self._loaded.wait()

    async def goto(self, url: str) -> str:
        """Load a page and return its DOM as the browser built it."""
        await self._until_loaded(self.send("Page.navigate", url=url))
        return await self.html()

    async def html(self) -> str:
        return await self.eval("document.documentElement.outerHTML")

    async def eval(self, expression: str):  # noqa: ANN201
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def submit(self, form_selector: str, **fields: str) -> str:
        """Fill a form's fields and submit it as a person would; the DOM of the page it leads to."""
        script = "".join(
            f"document.querySelector({json.dumps(form_selector)})"
            f".elements[{json.dumps(name)}].value = {json.dumps(value)};"
            for name, value in fields.items()
        )
        await self.eval(script)
        click = (
            f"document.querySelector({json.dumps(form_selector)})"
            ".querySelector('button[type=submit]').click()"
        )
        await self._until_loaded(self.eval(click))
        return await self.html()

    async def cookies(self) -> list[dict]:
        return (await self.send("Network.getCookies"))["cookies"]

    async def screenshot(self, path: Path) -> Path:
        """The whole page, WIDTH pixels wide."""
        height = int(await self.eval("document.documentElement.scrollHeight"))
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        await self.send("Emulation.clearDeviceMetricsOverride")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Browser]:
    """Start Chromium with a fresh profile, yield a Browser on its first tab, stop it after."""
    log = open(profile.parent / "chromium.log", "wb")  # noqa: SIM115, ASYNC230
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=log,
        stderr=log,
        stdin=asyncio.subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        async with asyncio.timeout(30):
            while not port_file.exists() or not port_file.read_text().strip():
                if process.returncode is not None:
                    raise RuntimeError(f"chromium exited; see {log.name}")
                await asyncio.sleep(0.05)
        port = port_file.read_text().split()[0]
        async with httpx.AsyncClient(trust_env=False) as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            browser = Browser(socket)
            try:
                await browser.send("Page.enable")
                await browser.send("Network.enable")
                yield browser
            finally:
                browser._reader.cancel()
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()
