"""Every URL the platform hands out resolves.

The URLs are collected from what the platform really sends: the ``Link`` and
``Deprecation`` headers of the deprecated Display advert version, every URL in search and
detail answers of both versions, live and sandbox (``vacancyUrl``, ``applicationUrl``),
the links in the emails people get when they register, reset or change a password, are
invited, or get a key (driven through the portal's pages; developers and platform
admins, whom only the operator adds, through the services the operator's commands
call), every ``href`` on the documentation's pages, and the README's and docs/'s links
to this server or into the repository.

Each URL at this server is followed: a page must answer 200 (a fragment must name an
element of it), an emailed single-use link must open a working page (not the "link has
expired" one), and an API URL must answer 200 to a key of its product. Files the
Markdown links to must exist in the repository. URLs elsewhere (an employer's own
application site, GOV.UK's licence) are not ours to follow.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from apprenticeships.accounts.team import TeamService
from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.catalog.lifecycle import VersionState
from apprenticeships.catalog.products import OwnerKind, product_by_id
from apprenticeships.storage.engine import unit_of_work
from tests import builders
from tests.conftest import PlatformFactory, client_for
from tests.portal.support import Mailbox, make_person, sign_in, submit

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[1]
# What `make run` serves on and links point at: the default public URL.
PUBLIC_URL = "http://127.0.0.1:8000"
URL = re.compile(r"https?://[^\s<>\"'`)\]]+")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A file path in backticks: "docs/deploying.md", "../shared/spec/gateway.md".
MARKDOWN_PATH = re.compile(r"`((?:\.\./|[\w.-]+/)[\w./-]*\.(?:md|py|json|jsonl|csv|toml|txt))`")
# Paths in backticks may be the repository's or the package's ("accounts/people.py").
PATH_ROOTS = (ROOT, ROOT / "src" / "apprenticeships")
# Files that exist only once the platform has run (`make run` writes them).
RUNTIME_DIRECTORIES = ("var/",)
PRODUCTS_BY_PATH = {"vacancies": "display-advert", "managevacancies": "recruitment",
                    "trackprogress": "track-progress"}  # fmt: skip
LINK_EXPIRED = "This link has expired or has already been used"
PASSWORD = "a long and unusual passphrase"
NEW_PASSWORD = "another long and unusual passphrase"


@dataclass
class Links:
    """URLs found, each with where it was found."""

    found: dict[str, list[str]] = field(default_factory=dict)

    def add(self, url: str, source: str) -> None:
        self.found.setdefault(url, []).append(source)

    def scan(self, text: str, source: str) -> None:
        for url in URL.findall(text):
            self.add(url.rstrip(".,;:"), source)

    def ours(self) -> Iterator[tuple[str, list[str]]]:
        for url, sources in sorted(self.found.items()):
            if url == PUBLIC_URL or url.startswith(PUBLIC_URL + "/"):
                yield url, sources

    def elsewhere(self) -> set[str]:
        return {url for url in self.found if not url.startswith(PUBLIC_URL)}


@dataclass
class World:
    platform: Platform
    client: httpx.AsyncClient
    keys: dict[tuple[str, bool], str] = field(default_factory=dict)

    async def key(self, product_id: str, sandbox: bool) -> str:
        """A key of that product and environment, made by the first owner who may hold
        it."""
        if (product_id, sandbox) not in self.keys:
            sessions, secret = self.platform.sessions, self.platform.secret_key
            holders = product_by_id(product_id).holders
            if OwnerKind.DEVELOPER in holders:
                owner = f"developer:{await builders.create_developer(sessions, f'{product_id}-{sandbox}@links.example')}"
            elif OwnerKind.EMPLOYER in holders:
                owner = (
                    f"employer:{await builders.create_employer(sessions, f'Links {product_id}')}"
                )
            else:
                owner = (
                    f"provider:{await builders.create_provider(sessions, '10000077', 'Links Ltd')}"
                )
            reference = product_id + ("-sandbox" if sandbox else "")
            issued = await builders.issue_key(sessions, secret, owner, reference)
            self.keys[(product_id, sandbox)] = issued.secret
        return self.keys[(product_id, sandbox)]

    def current_version(self, product_id: str) -> int:
        statuses = self.platform.versions.statuses(product_by_id(product_id), datetime.now(UTC))
        return next(s.version for s in statuses if s.state is VersionState.CURRENT)

    async def api(
        self, path: str, version: int, sandbox: bool = False, **params: Any
    ) -> httpx.Response:
        product_id = PRODUCTS_BY_PATH[path.strip("/").split("/")[0]]
        headers = {"Ocp-Apim-Subscription-Key": await self.key(product_id, sandbox),
                   "X-Version": str(version)}  # fmt: skip
        prefix = "/sandbox" if sandbox else ""
        response = await self.client.get(prefix + path, params=params, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response

    async def follow(self, url: str, sources: list[str]) -> httpx.Response:
        """Follow a URL at this server: a page (and the element its fragment names), or
        an API URL called with a key of its product."""
        address, fragment = urldefrag(url)
        path = urlsplit(address).path or "/"
        segments = path.strip("/").split("/")
        sandbox = segments[0] == "sandbox"
        first = segments[1] if sandbox and len(segments) > 1 else segments[0]
        if first in PRODUCTS_BY_PATH:
            product_id = PRODUCTS_BY_PATH[first]
            response = await self.client.get(
                address,
                headers={
                    "Ocp-Apim-Subscription-Key": await self.key(product_id, sandbox),
                    "X-Version": str(self.current_version(product_id)),
                },
            )
        else:
            response = await self.client.get(address)
        assert response.status_code == 200, (url, sources, response.status_code)
        assert "location" not in response.headers
        if response.headers["content-type"].startswith("text/html"):
            page = LexborHTMLParser(response.text)
            heading = page.css_first("h1")
            assert heading is None or heading.text(strip=True) != LINK_EXPIRED, (url, sources)
            if fragment:
                assert page.css_first(f'[id="{fragment}"]') is not None, (url, sources)
        return response


@pytest.fixture
async def world(platform_factory: PlatformFactory) -> AsyncIterator[World]:
    async with platform_factory(public_url=PUBLIC_URL) as platform:
        transport = httpx.ASGITransport(app=platform)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            yield World(platform, client)


def _walk(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _walk(item, f"{path}.{name}", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", out)
    elif isinstance(value, str) and URL.fullmatch(value):
        out.append((path, value))


def urls_in(answer: Any) -> list[tuple[str, str]]:
    """Every URL in a JSON answer, with the field it is in."""
    found: list[tuple[str, str]] = []
    _walk(answer, "$", found)
    return found


async def test_api_answers_link_only_to_pages_that_exist(world: World) -> None:
    sessions = world.platform.sessions
    employer = await builders.create_employer(sessions, "Acme Engineering")
    entity = await builders.create_legal_entity(sessions, employer, "Acme Engineering Ltd")
    provider = await builders.create_provider(sessions, "10000001", "Northfield College")
    mine = {"employer": employer, "legal_entity": entity, "ukprn": provider}
    external = "https://careers.acme.example.com/apply"
    await builders.create_vacancy(sessions, **mine, title="Apprentice Welder")
    await builders.create_vacancy(sessions, **mine, anonymous=True, title="Apprentice Chef")
    await builders.create_vacancy(sessions, **mine, application_url=external, title="Fitter")
    await builders.create_vacancy(sessions, **mine, environment="sandbox", title="Sandbox Baker")
    await world.platform.vacancy_indexes.reload()

    links = Links()
    applied_here: list[tuple[str, str]] = []
    for sandbox in (False, True):
        for version in (1, 2):
            where = f"{'sandbox ' if sandbox else ''}v{version}"
            params = {"IncludeDetails": "true"} if version == 2 else {}
            search = await world.api("/vacancies/vacancy", version, sandbox, **params)
            answers = [(f"{where} search", search)]
            for advert in search.json()["vacancies"]:
                reference = advert["vacancyReference"]
                detail = await world.api(f"/vacancies/vacancy/{reference}", version, sandbox)
                answers.append((f"{where} detail of {reference}", detail))
            for source, answer in answers:
                for header in ("link", "deprecation"):
                    links.scan(answer.headers.get(header, ""), f"{source}: {header} header")
                for field_path, url in urls_in(answer.json()):
                    links.add(url, f"{source}: {field_path}")
                    if field_path.endswith(".applicationUrl"):
                        applied_here.append((field_path, url))
            if version == 1:
                assert search.headers["deprecation"].startswith("@")  # a date, not a link
                rels = re.findall(r'<([^>]+)>; rel="([^"]+)"', search.headers["link"])
                assert [rel for _, rel in rels] == ["successor-version", "deprecation"]

    ours = dict(links.ours())
    assert any(url.endswith("/docs/display-advert/v2") for url in ours)
    assert any(url.endswith("/docs/display-advert/v1") for url in ours)
    adverts = [url for url in ours if "/apprenticeship/reference/" in url]
    assert len(adverts) == 4  # three live adverts and the sandbox one
    # People apply through this service, at the advert's page, except where the employer
    # has a site of its own.
    assert external in {url for _, url in applied_here}
    assert {url for _, url in applied_here} - {external} < set(adverts)
    assert len({url for _, url in applied_here} - {external}) == 3  # not the fitter's
    assert links.elsewhere() == {external, "https://acme.example.com"}
    for url, sources in ours.items():
        await world.follow(url, sources)


async def test_every_link_in_the_emails_people_get_opens_a_working_page(world: World) -> None:
    platform, client = world.platform, world.client
    mailbox = Mailbox(platform.settings.resolved_mail_dir)
    links = Links()

    def read(message: EmailMessage, name: str) -> list[str]:
        body = message.get_body(preferencelist=("plain", "html"))
        assert body is not None
        found = URL.findall(body.get_content())
        assert found, f"no link in the {name} email"
        for url in found:
            links.add(url, f"{name} email: {message['Subject']}")
        return found

    # Through the portal: registration, a second registration, a password reset.
    address = "links@example.com"
    form = {"name": "Ada Lovelace", "email": address, "password": PASSWORD}
    assert (await submit(client, "/portal/register", form)).status_code == 200
    [confirm] = read(await mailbox.next_to(address, "Confirm"), "confirmation")
    await world.follow(confirm, ["confirmation email"])  # it works once: this once
    assert (await submit(client, "/portal/register", form)).status_code == 200
    read(await mailbox.next_to(address, "Someone tried"), "already registered")
    response = await submit(client, "/portal/forgot-password", {"email": address})
    assert response.status_code == 200
    [reset] = read(await mailbox.next_to(address, "Reset"), "password reset")
    await world.follow(reset, ["password reset email"])
    changed = await submit(client, urlsplit(reset).path, {"password": NEW_PASSWORD})
    assert changed.status_code == 200 and "Your password is set" in changed.text
    await submit(client, "/portal/sign-in", {"email": address, "password": NEW_PASSWORD})
    changing = {"current_password": NEW_PASSWORD, "new_password": PASSWORD}
    assert (await submit(client, "/portal/account", changing)).status_code in (200, 303)
    read(await mailbox.next_to(address, "changed"), "password changed")

    # Through the portal: an employer's Owner invites a new person and adds the
    # developer, and gets a key (every key action is emailed to the Owners).
    owner = await make_person(
        platform, "owner@links.example", kind=OwnerKind.EMPLOYER, role=Role.OWNER
    )
    async with client_for(platform, PUBLIC_URL) as owners:
        assert (await sign_in(owners, owner)).status_code == 303
        for email, name in (("new@links.example", "Sam Jones"), (address, "Ada Lovelace")):
            invite = {"email": email, "name": name, "role": "Viewer"}
            answer = await submit(owners, "/portal/team", invite)
            assert answer.status_code == 200 and "Invitation sent" in answer.text
        got = await submit(owners, "/portal/apis/display-advert/keys/new", {"name": "Links"})
        assert got.status_code == 200
        read(await mailbox.next_to("new@links.example", "invited"), "invitation")
        read(await mailbox.next_to(address, "added to an organisation"), "added")
        [apis] = read(await mailbox.next_to(owner.email, "Display advert API key"), "key")
        # The key email's link is for the Owner, who is signed in.
        signed_in = World(platform, owners)
        await signed_in.follow(apis, ["key email"])

    # Developers and platform admins are the operator's to add (accounts add-developer
    # and add-admin call these services).
    now = datetime.now(UTC)
    async with unit_of_work(platform.sessions) as session:
        team = TeamService(session, platform.settings.public_url)
        await team.add_developer("developer@links.example", "Dev Eloper", now)
        await team.add_admin("admin@links.example", now, "Ad Min")
        await team.add_admin(address, now)  # has an account
    platform.mail.wake()
    for to, subject, name in [
        ("developer@links.example", "invited", "developer invitation"),
        ("admin@links.example", "platform admin", "admin invitation"),
        (address, "platform admin", "admin granted"),
    ]:
        read(await mailbox.next_to(to, subject), name)

    ours = dict(links.ours())
    assert len(ours) == len(links.found), links.elsewhere()  # every emailed link is ours
    for url, sources in ours.items():
        if url not in (confirm, reset, apis):  # followed above (before their one use)
            await world.follow(url, sources)
    # The invitation links are set-password pages, each working until used.
    invitations = [url for url in ours if "/portal/set-password/" in url and url != reset]
    assert len(invitations) == 3


async def test_every_href_on_the_documentation_resolves(world: World) -> None:
    """Every page under /docs reachable from /docs, and every href on them: pages under
    /docs are read in turn, anything else (the portal, assets) must answer 200."""
    pages: dict[str, LexborHTMLParser] = {}
    queue = ["/docs"]
    checked: set[str] = set()
    fragments = 0
    while queue:
        path = queue.pop()
        response = await world.follow(PUBLIC_URL + path, ["the documentation"])
        page = pages[path] = LexborHTMLParser(response.text)
        hrefs = [node.attributes.get("href") or "" for node in page.css("a[href], link[href]")]
        for href in hrefs:
            assert href, f"an empty href on {path}"
            if href.startswith("#"):
                assert page.css_first(f'[id="{href[1:]}"]') is not None, (path, href)
                fragments += 1
                continue
            url = href if "://" in href else PUBLIC_URL + href
            if not url.startswith(PUBLIC_URL + "/"):
                continue  # GOV.UK's licence and copyright pages
            target = urlsplit(urldefrag(url)[0]).path
            readable = target.startswith("/docs") and not target.endswith(".json")
            if readable and target not in pages and target not in queue:
                queue.append(target)
            if url in checked:
                continue
            checked.add(url)
            await world.follow(url, [path])
    assert {"/docs", "/docs/display-advert/v1", "/docs/display-advert/v2",
            "/docs/recruitment/v1", "/docs/track-progress/v1"} <= set(pages)  # fmt: skip
    assert fragments > 100  # contents, schema links
    for href in ("/docs/display-advert/v2/openapi.json", "/docs#get-a-key", "/portal",
                 "/assets/govuk-frontend.min.css", "/assets/manifest.json"):  # fmt: skip
        assert PUBLIC_URL + href in checked, href


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


async def test_the_readme_links_to_this_server_and_files_that_exist(world: World) -> None:
    links = Links()
    missing: list[str] = []
    for document in markdown_files():
        name = str(document.relative_to(ROOT))
        text = document.read_text()
        for target in MARKDOWN_LINK.findall(text):
            if "://" in target:
                links.add(target, name)
                continue
            file = (document.parent / urldefrag(target)[0]).resolve()
            if not file.is_relative_to(ROOT) or not file.is_file():
                missing.append(f"{name}: [..]({target})")
        for target in MARKDOWN_PATH.findall(text):
            if target.startswith(RUNTIME_DIRECTORIES):
                continue
            found = [(root / target).resolve() for root in PATH_ROOTS]
            if not any(f.is_relative_to(ROOT) and f.exists() for f in found):
                missing.append(f"{name}: `{target}`")
        # URLs at this server, in prose or in examples; a shell command's URL with a
        # substitution in it ($...) is the example's to run, not a link.
        for url in URL.findall(text):
            if "$" not in url and urlsplit(url).path not in ("", "/"):
                links.add(url.rstrip(".,;:"), name)
    assert not missing, "links to files that are not in the repository:\n" + "\n".join(missing)
    ours = dict(links.ours())
    assert ours, "the README links to nothing at this server"
    for url, sources in ours.items():
        await world.follow(url, sources)
