"""Every example in the getting-started guide, taken from the rendered page and run as a
person would (bash for curl, Python with httpx) against a real `apprenticeships serve`
process whose public URL is its own address, with keys from the CLI. Each answer is
checked, so the guide cannot drift from the platform; a new example without a check
fails here.

The links the answers carry are followed too: each ``vacancyUrl`` is the advert's page,
and the deprecated version's ``Link`` header's two references (``successor-version`` and
``deprecation``) are pages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from apprenticeships.gateway import responses
from tests.system.conftest import Harness, free_port

pytestmark = pytest.mark.slow

LIVE_KEY = "APPRENTICESHIPS_API_KEY"
SANDBOX_KEY = "APPRENTICESHIPS_SANDBOX_API_KEY"
# The retry examples run with keys limited to this many calls per window, so that their
# third call is refused with 429 and has to wait.
TIGHT_LIMIT = "2/4"
EXAMPLE_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Ran:
    stdout: str
    stderr: str
    returncode: int
    seconds: float

    def json(self) -> Any:
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout)

    def lines(self) -> list[str]:
        assert self.returncode == 0, self.stderr
        return self.stdout.splitlines()


@dataclass
class Site:
    harness: Harness
    url: str
    settings: dict[str, str]
    keys: dict[str, str] = field(default_factory=dict)

    def api(self, path: str, key: str = "live", **params: Any) -> httpx.Response:
        return httpx.get(
            self.url + path,
            params=params,
            headers={"Ocp-Apim-Subscription-Key": self.keys[key], "X-Version": "2"},
            timeout=10,
        )

    def page(self, url: str) -> LexborHTMLParser:
        assert url.startswith(self.url + "/"), url
        response = httpx.get(url, timeout=10)
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        return LexborHTMLParser(response.text)


def _issue(site: Site, name: str, product: str, email: str) -> None:
    out = site.harness.cli(
        "keys", "issue", "--product", product, "--owner", f"developer:{email}",
        settings=site.settings,
    ).stdout.strip()  # fmt: skip
    assert out.startswith(("appr_live_", "appr_sandbox_")), out
    site.keys[name] = out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    harness = Harness(tmp_path_factory.mktemp("docs-examples"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {"APPRENTICESHIPS_PUBLIC_URL": url}
    site = Site(harness, url, settings)
    try:
        harness.cli("db", "upgrade", settings=settings)
        harness.cli("demo", "seed", "--vacancies", "20", settings=settings)
        for email in ("reader@example.com", "retry-curl@example.com", "retry-py@example.com"):
            harness.cli("accounts", "add-developer", "--email", email, settings=settings)
        _issue(site, "live", "display-advert", "reader@example.com")
        _issue(site, "sandbox", "display-advert-sandbox", "reader@example.com")
        for name in ("retry-curl", "retry-py"):
            email = f"{name}@example.com"
            _issue(site, name, "display-advert", email)
            harness.cli(
                "limits", "set", TIGHT_LIMIT, "--product", "display-advert",
                "--owner", f"developer:{email}", settings=settings,
            )  # fmt: skip
        server = harness.spawn_server(settings, port=port)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{server.output()}")
            time.sleep(0.1)
        yield site
    finally:
        harness.stop_all()


@pytest.fixture(scope="module")
def examples(site: Site) -> dict[str, tuple[str, str]]:
    """Each example on the page: id -> (language, code as a person would copy it)."""
    response = httpx.get(f"{site.url}/docs", timeout=10)
    assert response.status_code == 200
    found = {}
    for node in LexborHTMLParser(response.text).css("pre[data-example]"):
        code = node.text()  # entities decoded, as copying from the browser gives
        found[node.attributes["data-example"] or ""] = (node.attributes["data-language"], code)
    return found


def run(
    site: Site, language: str, code: str, key: str, cwd: Path, sandbox_key: str = "sandbox"
) -> Ran:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(cwd),
        LIVE_KEY: site.keys[key],
        SANDBOX_KEY: site.keys[sandbox_key],
    }
    args = ["bash", "-c", code] if language == "shell" else [sys.executable, "-c", code]
    started = time.monotonic()
    result = subprocess.run(
        args,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=EXAMPLE_TIMEOUT_SECONDS,
        check=False,
    )
    return Ran(result.stdout, result.stderr, result.returncode, time.monotonic() - started)


def spend(site: Site, key: str, calls: int) -> None:
    """Use up a tight key's window, as a busy client would have."""
    for _ in range(calls):
        assert site.api("/vacancies/referencedata/courses/routes", key=key).status_code == 200


# -- what each example must print -------------------------------------------------------


def check_routes(site: Site, ran: Ran) -> None:
    expected = site.api("/vacancies/referencedata/courses/routes").json()
    assert len(expected["routes"]) >= 10
    assert ran.json() == expected


def check_route_names(site: Site, ran: Ran) -> None:
    expected = site.api("/vacancies/referencedata/courses/routes").json()
    assert ran.lines() == [route["name"] for route in expected["routes"]]


def check_search(site: Site, ran: Ran) -> None:
    body = ran.json()
    expected = site.api("/vacancies/vacancy", PageSize=5, Sort="AgeAsc").json()
    assert body == expected
    assert len(body["vacancies"]) == 5
    check_advert_pages(site, body["vacancies"])


def check_search_lines(site: Site, ran: Ran) -> None:
    expected = site.api("/vacancies/vacancy", PageSize=5, Sort="AgeAsc").json()["vacancies"]
    assert len(expected) == 5
    assert ran.lines() == [
        f"{a['title']} | {a['employerName']} | {a['vacancyUrl']}" for a in expected
    ]


def check_advert_pages(site: Site, adverts: list[dict[str, Any]]) -> None:
    """Each vacancyUrl from a real answer is a page showing the advert."""
    for advert in adverts:
        assert advert["vacancyUrl"] == (
            f"{site.url}/apprenticeship/reference/{advert['vacancyReference']}"
        )
        page = site.page(advert["vacancyUrl"])
        h1 = page.css_first("h1")
        assert h1 is not None and h1.text(strip=True) == advert["title"]


def check_missing_key(site: Site, ran: Ran) -> None:
    assert ran.json() == {"statusCode": 401, "message": responses.MISSING_KEY}


def check_missing_version(site: Site, ran: Ran) -> None:
    body = ran.json()
    assert body["statusCode"] == 404
    assert "the X-Version header is missing" in body["message"]


def check_version_headers(site: Site, ran: Ran) -> None:
    lines = ran.lines()
    assert lines[0].startswith("HTTP/1.1 200")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if ":" in line)
    }
    assert headers["api-supported-versions"] == "1, 2"
    # A new platform serves Display advert version 1 deprecated beside version 2, so
    # the example shows every header the guide names.
    assert re.fullmatch(r"@\d+", headers["deprecation"])
    assert headers["sunset"].endswith(" GMT")
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', headers["link"])}
    assert links == {
        "successor-version": f"{site.url}/docs/display-advert/v2",
        "deprecation": f"{site.url}/docs/display-advert/v1",
    }
    for version, url in (("2", links["successor-version"]), ("1", links["deprecation"])):
        h1 = site.page(url).css_first("h1")
        assert h1 is not None
        assert h1.text(strip=True) == f"Display advert API version {version} reference"


def check_rate_headers(site: Site, ran: Ran) -> None:
    policy, remaining = ran.lines()
    assert policy == 'RateLimit-Policy: "default";q=150;w=300'
    assert re.fullmatch(r'RateLimit: "default";r=\d+;t=\d+', remaining)


def check_retried_routes(site: Site, ran: Ran) -> None:
    # The window was used up: curl was refused, waited Retry-After (at least a second,
    # never 0) and then got the routes.
    assert ran.seconds >= 1
    assert "429" in ran.stderr
    check_routes(site, ran)


def check_retried_pages(site: Site, ran: Ran) -> None:
    assert ran.lines() == [f"page {n} has 5 adverts" for n in (1, 2, 3)]
    assert ran.seconds >= 1  # the third call got 429 and waited


def check_sandbox(site: Site, ran: Ran) -> None:
    body = ran.json()
    assert body == site.api("/sandbox/vacancies/vacancy", key="sandbox", PageSize=3).json()
    assert len(body["vacancies"]) == 3
    check_advert_pages(site, body["vacancies"])


def check_sandbox_total(site: Site, ran: Ran) -> None:
    total = site.api("/sandbox/vacancies/vacancy", key="sandbox", PageSize=1).json()["total"]
    assert total > 0
    assert ran.lines() == [f"{total} live adverts in the sandbox"]


def check_no_keys_found(site: Site, ran: Ran) -> None:
    assert ran.lines() == ["No API keys found"]


Check = Callable[[Site, Ran], None]
# id -> (the key it runs with, what it must print; a tight key's window is used up first)
CHECKS: dict[str, tuple[str, Check]] = {
    "first-call-curl": ("live", check_routes),
    "first-call-python": ("live", check_route_names),
    "search-curl": ("live", check_search),
    "search-python": ("live", check_search_lines),
    "missing-key-curl": ("live", check_missing_key),
    "missing-version-curl": ("live", check_missing_version),
    "versions-curl": ("live", check_version_headers),
    "rate-limit-python": ("live", check_rate_headers),
    "retry-curl": ("retry-curl", check_retried_routes),
    "retry-python": ("retry-py", check_retried_pages),
    "sandbox-curl": ("live", check_sandbox),
    "sandbox-python": ("live", check_sandbox_total),
    "key-scan-shell": ("live", check_no_keys_found),
}


def test_every_example_on_the_page_has_a_check(examples: dict[str, tuple[str, str]]) -> None:
    assert set(examples) == set(CHECKS)
    for example_id, (language, code) in examples.items():
        assert language == ("python" if example_id.endswith("-python") else "shell")
        assert "appr_live_" not in code and "appr_sandbox_" not in code  # keys from the env


@pytest.mark.parametrize("example_id", sorted(CHECKS))
def test_the_example_works_against_the_server(
    site: Site, examples: dict[str, tuple[str, str]], example_id: str, tmp_path: Path
) -> None:
    language, code = examples[example_id]
    assert site.url in code or example_id == "key-scan-shell"
    key, check = CHECKS[example_id]
    if key == "retry-curl":
        spend(site, key, 2)
    ran = run(site, language, code, key, tmp_path)
    check(site, ran)


def test_the_key_scan_finds_a_key_in_a_source_tree(
    site: Site, examples: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    language, code = examples["key-scan-shell"]
    source = tmp_path / "src" / "settings.py"
    source.parent.mkdir()
    source.write_text(f'API_KEY = "{site.keys["sandbox"]}"\n')
    ran = run(site, language, code, "live", tmp_path)
    assert ran.lines() == [f"./src/settings.py:1:{source.read_text().strip()}"]
