"""The browser part: Debian's chromium driven by Playwright through Home Assistant's UI, a
screenshot per step in the artifacts folder."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from .checks import CheckFailed, Checks, expect, wait_until
from .context import Run

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_TIMEOUT_MS = 30_000
CARD_WAIT_MS = 15_000
"""How long the integrations dashboard gets to draw our card before the page is reloaded."""
OUR_TEXT = re.compile(r"emby", re.IGNORECASE)
ERROR_TOAST = re.compile(r"error|fail|unable|unknown|invalid", re.IGNORECASE)
# The option the browser changes in the Configure dialog, and its label there (strings.json).
# Home Assistant's view that serves Emby images to the frontend (images.py), and the media
# source's id (media_source.py).
IMAGE_VIEW = "/api/embymedia/image/"
MEDIA_SOURCE_ROOT = "media-source://embymedia"
# The library and the folder in it the Media panel step opens (the simulator's Movies).
MEDIA_LIBRARY, MEDIA_FOLDER = "Movies", "All movies"
UI_OPTION, UI_OPTION_LABEL = "purge_after_days", "Remove clients unseen for"

STEP_NAMES = [
    "browser: log in",
    "browser: Settings > Devices & services > Emby Media",
    "browser: Configure, change an option, submit, saved",
    "browser: a playing media player's more-info shows title and artwork",
    "browser: Download diagnostics",
    "browser: Media panel browses Emby (server, user, library, folder) with thumbnails",
    "browser: no embymedia console error, no error toast, no API key in a URL",
]


@dataclass
class BrowserWatch:
    """What the page reported: console errors, page errors and every request URL."""

    console_errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        """Keep errors (with where they came from)."""
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} [{where}]")

    def on_page_error(self, error: Any) -> None:
        """An uncaught exception in the page."""
        self.console_errors.append(f"uncaught: {error}")

    def on_request(self, request: Request) -> None:
        """Every URL the page asked for."""
        self.urls.append(request.url)

    def on_response(self, response: Response) -> None:
        """Answers to embymedia's image view (URL, status)."""
        if IMAGE_VIEW in response.url:
            self.images.append((response.url, response.status))

    def ours(self) -> list[str]:
        """Console errors that concern embymedia."""
        return [e for e in self.console_errors if OUR_TEXT.search(e)]


class Ui:
    """The page, the run, and a numbered screenshot per step."""

    def __init__(self, run: Run, page: Page, watch: BrowserWatch) -> None:
        """Bind to an open page."""
        self.run = run
        self.page = page
        self.watch = watch
        self.shots: list[str] = []

    async def shot(self, name: str) -> None:
        """A screenshot named after the step, in order."""
        path = self.run.artifacts / f"{len(self.shots) + 1:02d}-{name}.png"
        await self.page.screenshot(path=str(path))
        self.shots.append(path.name)

    async def collect_toasts(self) -> None:
        """Toasts on screen now (Home Assistant shows errors of actions there)."""
        toasts = self.page.locator("notification-manager ha-toast")
        for index in range(await toasts.count()):
            text = (await toasts.nth(index).inner_text()).strip()
            if text and text not in self.watch.toasts:
                self.watch.toasts.append(text)


async def run_steps(run: Run, checks: Checks, chromium: str) -> None:
    """Every browser step; a failed login ends the browser part."""
    watch = BrowserWatch()
    async with async_playwright() as playwright:
        with tempfile.TemporaryDirectory(prefix="e2e-chromium-") as profile:
            context: BrowserContext = await playwright.chromium.launch_persistent_context(
                profile,  # an empty --user-data-dir
                executable_path=chromium,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
                accept_downloads=True,
            )
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                page.set_default_timeout(UI_TIMEOUT_MS)
                page.on("console", watch.on_console)
                page.on("pageerror", watch.on_page_error)
                page.on("request", watch.on_request)
                page.on("response", watch.on_response)
                ui = Ui(run, page, watch)
                steps: list[Callable[[], Awaitable[str | None]]] = [
                    lambda: login(ui),
                    lambda: open_integration(ui),
                    lambda: configure(ui),
                    lambda: more_info(ui),
                    lambda: download_diagnostics(ui),
                    lambda: browse_media(ui),
                    lambda: no_errors(ui),
                ]
                if pause := os.environ.get("E2E_BROWSER_PAUSE"):  # exploring the UI by hand
                    print("PAUSED", run.ha_url, run.username, run.password, flush=True)
                    await asyncio.sleep(float(pause))
                for index, (name, step) in enumerate(zip(STEP_NAMES, steps, strict=True)):
                    ok = await checks.run(name, _with_toasts(ui, step))
                    if not ok and index == 0:
                        checks.not_run(STEP_NAMES[1:], "the browser could not log in")
                        break
                run.notes.append("screenshots: " + ", ".join(ui.shots))
            finally:
                run.save("browser-console-errors.txt", "\n".join(watch.console_errors))
                await context.close()


def _with_toasts(
    ui: Ui, step: Callable[[], Awaitable[str | None]]
) -> Callable[[], Awaitable[str | None]]:
    async def wrapped() -> str | None:
        try:
            return await step()
        except PlaywrightError as err:
            await _failure_shot(ui)
            raise CheckFailed(f"the page did not do it: {err.message.splitlines()[0]}") from err
        except CheckFailed:
            await _failure_shot(ui)
            raise
        finally:
            await ui.collect_toasts()

    return wrapped


async def _failure_shot(ui: Ui) -> None:
    with contextlib.suppress(PlaywrightError):
        await ui.shot("failed")


async def login(ui: Ui) -> str:
    """The login page: user name, password, Log in; the overview opens."""
    page = ui.page
    await page.goto(ui.run.ha_url)
    await page.get_by_role("textbox", name="Username").fill(ui.run.username)
    await page.get_by_role("textbox", name="Password").fill(ui.run.password)
    await ui.shot("login")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/(home|lovelace)"))
    await page.locator("ha-sidebar").get_by_text("Settings").wait_for()
    await ui.shot("logged-in")
    return f"as {ui.run.username}"


async def open_integration(ui: Ui) -> str:
    """Settings > Devices & services > Emby Media, clicked as a person would."""
    page = ui.page
    await page.locator("ha-sidebar").get_by_text("Settings").click()
    await page.get_by_text("Devices & services").first.click()
    await page.wait_for_url(re.compile(r"/config/integrations"))
    await ui.shot("devices-and-services")
    card = page.get_by_text("Emby Media").first
    reloaded = ""
    try:
        await card.wait_for(timeout=CARD_WAIT_MS)
    except PlaywrightError:
        # Seen once in a CI run: the dashboard drew Backup's card and never ours, though the
        # entry was loaded (the API steps and the other browser steps found it). A person
        # reloads the page; so does this step, and says so. A second miss fails it.
        await ui.shot("integrations-without-emby-media")
        await page.reload()
        reloaded = " (the card appeared only after a reload)"
    await card.click()
    await page.wait_for_url(re.compile(r"/config/integrations/integration/embymedia"))
    await page.get_by_role("button", name="Configure").first.wait_for()
    await ui.shot("emby-media")
    return page.url.removeprefix(ui.run.ha_url) + reloaded


async def _entry_options(ui: Ui) -> dict[str, Any]:
    _, diag = await ui.run.api.request("GET", f"/api/diagnostics/config_entry/{ui.run.entry_id}")
    return dict(diag["data"]["entry"]["options"])


async def configure(ui: Ui) -> str:
    """Configure: change an option, Submit, "Options successfully saved"; the entry has it, and
    Configure opened again shows it."""
    page = ui.page
    before = (await _entry_options(ui)).get(UI_OPTION)
    new_value = 45 if before != 45 else 46
    await page.get_by_role("button", name="Configure").first.click()
    field_box = page.get_by_role("spinbutton", name=UI_OPTION_LABEL)
    await field_box.fill(str(new_value))
    await ui.shot("configure-changed")
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Options successfully saved").wait_for()
    await ui.shot("configure-saved")
    await page.get_by_role("button", name="Finish").click()

    async def saved() -> bool:
        return (await _entry_options(ui)).get(UI_OPTION) == new_value

    await wait_until(saved, 30, f"the entry's {UI_OPTION} did not become {new_value}")
    await page.get_by_role("button", name="Configure").first.click()
    reopened = page.get_by_role("spinbutton", name=UI_OPTION_LABEL)
    shown = await reopened.input_value()
    await reopened.scroll_into_view_if_needed()
    await ui.shot("configure-reopened")
    expect(shown == str(new_value), f"Configure reopened shows {shown!r}, not {new_value}")
    await page.keyboard.press("Escape")
    await page.get_by_role("spinbutton", name=UI_OPTION_LABEL).wait_for(state="hidden")
    return f"{UI_OPTION}: {before} -> {new_value}, shown again on reopening"


async def more_info(ui: Ui) -> str:
    """The device page of a playing client; its media player's more-info dialog shows the
    title and the artwork (loaded through Home Assistant's image proxy)."""
    page, run = ui.page, ui.run
    states = await run.socket.states()
    playing = None
    for entity in await run.socket.entry_entities(run.entry_id):
        state = states.get(entity["entity_id"], {})
        if (
            entity["entity_id"].startswith("media_player.")
            and state.get("state") == "playing"
            and state["attributes"].get("entity_picture")
        ):
            playing = (entity, state)
            break
    expect(playing, "no playing media player with artwork")
    assert playing is not None
    entity, state = playing
    device = next(
        d for d in await run.socket.entry_devices(run.entry_id) if d["id"] == entity["device_id"]
    )
    device_name = device.get("name_by_user") or device["name"]
    # From the integration page: the client's row, then its media player in Controls.
    await page.get_by_text(device_name, exact=True).first.click()
    await page.wait_for_url(re.compile(r"/config/devices/device/"))
    controls = page.locator("ha-device-entities-card").first
    row = controls.get_by_text(state["attributes"].get("friendly_name", device_name)).first
    await row.wait_for()
    await ui.shot("device-page")
    await row.click()
    # The dialog's host element has no box of its own: wait for what it shows.
    dialog = page.locator("ha-more-info-dialog")
    title = str(state["attributes"].get("media_title", ""))
    expect(title, f"{entity['entity_id']} has no media_title")
    await dialog.get_by_text(title).first.wait_for()

    async def artwork() -> list[dict[str, Any]]:
        images = await dialog.locator("img").evaluate_all(
            "els => els.map(e => ({src: e.currentSrc || e.src, w: e.naturalWidth, ok: e.complete}))"
        )
        return [
            i for i in images if "/api/media_player_proxy/" in i["src"] and i["ok"] and i["w"] > 0
        ]

    shown = await wait_until(artwork, 30, "the more-info dialog shows no loaded artwork")
    await ui.shot("more-info")
    await page.keyboard.press("Escape")
    await dialog.get_by_text(title).first.wait_for(state="hidden")
    return f"{entity['entity_id']}: {title!r}, artwork {shown[0]['w']} px wide"


async def download_diagnostics(ui: Ui) -> str:
    """Download diagnostics from the entry's menu; the file is the entry's diagnostics, without
    a secret."""
    page, run = ui.page, ui.run
    await page.goto(f"{run.ha_url}/config/integrations/integration/embymedia")
    await page.get_by_role("button", name="Configure").first.wait_for()
    # The hub row's menu (the first "Menu" is the page's own, top right).
    await page.get_by_role("button", name="Menu").nth(1).click()
    async with page.expect_download() as download_info:
        await page.get_by_text("Download diagnostics").first.click()
    download = await download_info.value
    target = run.artifacts / download.suggested_filename
    await download.save_as(str(target))
    await ui.shot("diagnostics-downloaded")
    text = target.read_text(encoding="utf-8")
    data = json.loads(text)["data"]
    expect(data.get("efficiency_metrics"), "the downloaded diagnostics have no efficiency_metrics")
    expect(data.get("cache_stats"), "the downloaded diagnostics have no cache_stats")
    leaks = run.leaked(text)
    expect(not leaks, f"the downloaded diagnostics contain {leaks}")
    return f"{target.name}, {len(text)} bytes"


async def _media_children(ui: Ui, content_id: str) -> list[dict[str, Any]]:
    """The children of a media source node, as Home Assistant's WebSocket API gives them."""
    node = await ui.run.socket.call(
        "media_source/browse_media", media_content_id=content_id, within=60
    )
    return list(node.get("children") or [])


async def _media_path(ui: Ui) -> list[tuple[str, list[dict[str, Any]]]]:
    """The titles to click from the Media panel's first level down to MEDIA_FOLDER, each with
    the children of the node it opens (what the panel must then show)."""
    sources = await _media_children(ui, "media-source://")
    emby = next((c for c in sources if c["media_content_id"] == MEDIA_SOURCE_ROOT), None)
    expect(emby, f"the media sources {[c['title'] for c in sources]} have no {MEDIA_SOURCE_ROOT}")
    assert emby is not None
    path: list[tuple[str, list[dict[str, Any]]]] = []
    node = emby
    # The source, the server, the user: one of each (the run's entry covers all users).
    for _ in range(3):
        children = await _media_children(ui, node["media_content_id"])
        path.append((node["title"], children))
        expect(children, f"{node['title']!r} has no children in the media source")
        node = children[0]
    for title in (MEDIA_LIBRARY, MEDIA_FOLDER):
        children = path[-1][1]
        found = next((c for c in children if c["title"] == title), None)
        expect(found, f"{path[-1][0]!r} has no {title!r} in {[c['title'] for c in children]}")
        assert found is not None
        node = found
        path.append((title, await _media_children(ui, node["media_content_id"])))
    return path


async def browse_media(ui: Ui) -> str:
    """The Media panel: Emby, the server, the user, the Movies library and its "All movies"
    folder, clicked as a person would; the folder's items are shown with their thumbnails,
    loaded through Home Assistant's image view (200), never from Emby with the key."""
    page = ui.page
    path = await _media_path(ui)
    first_image = len(ui.watch.images)  # the image view's answers from this step on
    await page.locator("ha-sidebar").get_by_text("Media", exact=True).click()
    await page.wait_for_url(re.compile(r"/media-browser"))
    browser = page.locator("ha-media-player-browse")
    for step, (title, children) in enumerate(path):
        # The child to click, at the end of the list (the header may show the same title).
        await browser.get_by_text(title, exact=True).filter(visible=True).last.click()
        for child in [c["title"] for c in children[:3]]:
            await browser.get_by_text(child, exact=True).filter(visible=True).first.wait_for()
        await ui.shot(f"media-{step + 1}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}")
    items = path[-1][1]
    with_thumbnail = [c for c in items if c.get("thumbnail")]
    expect(with_thumbnail, f"{MEDIA_FOLDER!r} has no item with a thumbnail")
    bad_thumbnails = [c["thumbnail"] for c in with_thumbnail if IMAGE_VIEW not in c["thumbnail"]]
    expect(not bad_thumbnails, f"thumbnails outside {IMAGE_VIEW}: {bad_thumbnails[:3]}")

    async def loaded() -> list[str]:
        # Cards whose thumbnail the page has drawn (a data: or blob: background from the
        # authenticated fetch, or the image URL itself).
        drawn: list[str] = await browser.locator(".child .image").evaluate_all(
            "els => els.map(e => getComputedStyle(e).backgroundImage)"
            ".filter(b => b && b !== 'none')"
        )
        ok = [u for u, status in ui.watch.images[first_image:] if status == 200]
        return drawn if ok and len(drawn) >= min(len(with_thumbnail), 3) else []

    drawn = await wait_until(
        loaded,
        30,
        f"the Media panel shows no loaded thumbnail for {MEDIA_FOLDER!r}",
        detail=lambda: f"image view answers {ui.watch.images[-5:]}",
    )
    await ui.shot("media-thumbnails")
    answers = ui.watch.images[first_image:]
    failed = [(u, s) for u, s in answers if s != 200]
    expect(not failed, f"image view answers that are not 200: {failed[:3]}")
    ok = sum(1 for _, s in answers if s == 200)
    return (
        f"{' > '.join(t for t, _ in path)}: {len(items)} items, {len(drawn)} thumbnails drawn, "
        f"{ok} image view answers 200"
    )


async def no_errors(ui: Ui) -> str:
    """No console error from embymedia, no error toast, no API key in any URL the page used."""
    await ui.collect_toasts()
    ours = ui.watch.ours()
    expect(not ours, "console errors from embymedia: " + "; ".join(ours[:10]))
    bad_toasts = [t for t in ui.watch.toasts if ERROR_TOAST.search(t)]
    expect(not bad_toasts, f"error toasts: {bad_toasts}")
    leaking = [u for u in ui.watch.urls if ui.run.leaked(u)]
    expect(not leaking, f"URLs with a secret: {leaking[:5]}")
    others = len(ui.watch.console_errors)
    return (
        f"{len(ui.watch.urls)} requests, {len(ui.watch.toasts)} toasts, "
        f"{others} console errors none from embymedia"
    )
