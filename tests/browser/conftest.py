"""Browser tests: a real `apprenticeships serve` process driven by Playwright in Debian's
Chromium (no browser download), with axe-core checking every page a test visits.

One server and one browser serve the whole module's tests; each test gets a fresh
browser context (no cookies shared between tests). axe-core comes from the npm lock file
(node_modules) and is added to every page as an init script, which the page's
Content-Security-Policy does not apply to, so the pages are tested with their real CSP.
Screenshots of the pages the tests visit go to test-artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.portal.support import Mailbox, link_in
from tests.support import services
from tests.system.conftest import Harness, Server, free_port

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# axe impacts that fail a test (the bar: no serious or critical violations).
FAILING_IMPACTS = ("serious", "critical")
MAIL_TIMEOUT_SECONDS = 15.0


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
        if services.REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    if not AXE_SCRIPT.exists():
        pytest.fail("node_modules/axe-core is missing: run `make install` (it runs npm ci)")


@dataclass
class Site:
    """The running platform as a browser sees it, plus the mail it sent."""

    harness: Harness
    server: Server
    mail_dir: Path
    settings: dict[str, str]

    def __post_init__(self) -> None:
        self.mailbox = Mailbox(self.mail_dir)

    @property
    def url(self) -> str:
        return self.server.url

    def cli(self, *args: str) -> str:
        return self.harness.cli(*args, settings=self.settings).stdout

    def mail_to(self, address: str, subject_contains: str = "") -> EmailMessage:
        """The oldest unread email to ``address`` (waits for the outbox to send it)."""
        deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
        while (message := self.mailbox.unread_to(address, subject_contains)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {address} ({subject_contains!r}) arrived")
            time.sleep(0.05)
        return message

    def link_in(self, message: EmailMessage, path_part: str) -> str:
        return link_in(message, path_part)


def _wait_healthy(server: Server, timeout: float = 30.0) -> None:
    """Sync, unlike the system tests' helper: Playwright's sync API owns this thread."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"{server.name} exited before answering /health:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{server.name} did not answer /health in time:\n{server.output()}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Site]:
    """The module's server; a module's ``SITE_SETTINGS`` are added to its settings."""
    _require_chromium()
    harness = Harness(tmp_path_factory.mktemp("site"))
    mail_dir = harness.tmp / "mail"
    port = free_port()
    settings = {
        "APPRENTICESHIPS_MAIL_DIR": str(mail_dir),
        "APPRENTICESHIPS_RATE_LIMIT": "1000/300",
        # Links in emails and API answers point at this server.
        "APPRENTICESHIPS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **getattr(request.module, "SITE_SETTINGS", {}),
    }
    try:
        harness.cli("db", "upgrade", settings=settings)
        server = harness.spawn_server(settings, port=port)
        _wait_healthy(server)
        yield Site(harness, server, mail_dir, settings)
    finally:
        harness.stop_all()


# One run's id: shared by every pytest-xdist worker of a run, a fresh one otherwise.
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The screenshots directory, emptied once per run: the first worker to get here
    clears what an earlier run left, the others (which may have saved screenshots since)
    find the run's mark and leave it."""
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    mark = ARTIFACTS / ".run"
    with (ARTIFACTS.parent / ".browser-artifacts.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not mark.is_file() or mark.read_text() != _RUN_ID:
            shutil.rmtree(ARTIFACTS, ignore_errors=True)
            ARTIFACTS.mkdir(parents=True)
            mark.write_text(_RUN_ID)
    return ARTIFACTS


# Per module, not per session: Playwright's sync API runs an event loop in this thread
# while it is started, and the async tests of the next modules need the thread's loop.
@pytest.fixture(scope="module")
def browser(artifacts: Path) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def check_page(page: Any, name: str) -> None:
    """axe-core on the page as it is now (no serious or critical violations), and a
    screenshot kept as an artefact."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in failing
    ]
    assert not failing, f"accessibility violations on {name} ({page.url}):\n" + "\n".join(details)
