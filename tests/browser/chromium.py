"""Headless Debian Chromium driven by Selenium, against the app served on a loopback port.

Nothing is downloaded: the browser and chromedriver are the system's (apt `chromium`,
`chromium-driver`), passed to Selenium explicitly so selenium-manager never runs. Tests
skip when either is missing or Selenium is not installed.
"""
from __future__ import annotations

import base64
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

MAX_SCREENSHOT_HEIGHT = 1600  # px: enough to show a page in the README without a huge file
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--disable-extensions", "--window-size=1280,900")


def find_executable(candidates, name: str) -> str | None:
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def unavailable_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    if not find_executable(CHROMIUM_CANDIDATES, "chromium"):
        return "chromium is not installed"
    if not find_executable(CHROMEDRIVER_CANDIDATES, "chromedriver"):
        return "chromedriver is not installed"
    return None


def start_driver(accept_language: str = "vi"):
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find_executable(CHROMIUM_CANDIDATES, "chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--lang={accept_language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    service = Service(executable_path=find_executable(CHROMEDRIVER_CANDIDATES, "chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    return driver


@contextmanager
def served(data_dir, **app_options):
    """The app on 127.0.0.1:<free port> in a background thread; yields the base URL."""
    from archive.web.server import build_server

    with in_thread(build_server(data_dir, "127.0.0.1", 0, **app_options)) as base_url:
        yield base_url


@contextmanager
def in_thread(server):
    """A socketserver-style server run in a background thread; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def full_page_screenshot(driver, path: Path, viewport_only: bool = False) -> bytes:
    """A PNG of the whole page (beyond the viewport), written to path.

    viewport_only: what the window shows; for pages with a frame sized to the window,
    which a capture beyond the viewport would re-lay out (and show blank).
    """
    if viewport_only:
        data = driver.get_screenshot_as_png()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], MAX_SCREENSHOT_HEIGHT), "scale": 1}})
    data = base64.b64decode(shot["data"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data
