"""The public advert page, on SQLite and PostgreSQL: what the Display advert API shows,
as a page; anonymous employers stay anonymous; anything not live is the 404 page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from apprenticeships.app import Platform
from tests import builders
from tests.conftest import PlatformFactory, client_for

pytestmark = pytest.mark.asyncio

LONDON = (51.5074, -0.1278)
PUBLIC_URL = "https://apprenticeships.example.gov.uk"


@dataclass
class World:
    platform: Platform
    client: httpx.AsyncClient
    key: str
    sandbox_key: str
    refs: dict[str, int]

    async def api(self, path: str, sandbox: bool = False) -> httpx.Response:
        key = self.sandbox_key if sandbox else self.key
        prefix = "/sandbox" if sandbox else ""
        return await self.client.get(
            prefix + path, headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "2"}
        )

    async def page(self, reference: str | int) -> httpx.Response:
        return await self.client.get(f"/apprenticeship/reference/{reference}")


@pytest.fixture
async def world(platform_factory: PlatformFactory, database_url: str) -> AsyncIterator[World]:
    async with platform_factory(database_url=database_url, public_url=PUBLIC_URL) as platform:
        sessions, secret = platform.sessions, platform.secret_key
        employer = await builders.create_employer(sessions, "Acme Engineering")
        other = await builders.create_employer(sessions, "Brightway Care")
        entity = await builders.create_legal_entity(sessions, employer, "Acme Engineering Ltd")
        other_entity = await builders.create_legal_entity(sessions, other, "Brightway Care Ltd")
        provider = await builders.create_provider(sessions, "10000001", "Northfield College")
        await builders.create_developer(sessions)
        mine = {"employer": employer, "legal_entity": entity, "ukprn": provider}
        theirs = {"employer": other, "legal_entity": other_entity, "ukprn": provider}
        refs = {
            "leeds": await builders.create_vacancy(sessions, **mine, lars_code=225),
            "anonymous": await builders.create_vacancy(
                sessions, **theirs, anonymous=True, addresses=[LONDON]
            ),
            "national": await builders.create_vacancy(
                sessions, **mine, national=True, wage_type="ApprenticeshipMinimum"
            ),
            "external": await builders.create_vacancy(
                sessions, **mine, application_url="https://jobs.acme.example/apply?id=7"
            ),
            "markup": await builders.create_vacancy(
                sessions, **mine, title="Apprentice <script>alert(1)</script> welder"
            ),
            "submitted": await builders.create_vacancy(sessions, **mine, status="Submitted"),
            "closed": await builders.create_vacancy(sessions, **mine, status="Closed"),
            "expired": await builders.create_vacancy(sessions, **mine, closing_in_days=-1),
            "sandbox": await builders.create_vacancy(
                sessions, **mine, environment="sandbox", title="Sandbox Apprentice Baker"
            ),
        }
        await platform.vacancy_indexes.reload()
        owner = "developer:dev@example.com"
        key = (await builders.issue_key(sessions, secret, owner)).secret
        sandbox_key = (
            await builders.issue_key(sessions, secret, owner, "display-advert-sandbox")
        ).secret
        async with client_for(platform) as client:
            yield World(platform, client, key, sandbox_key, refs)


def text_of(response: httpx.Response, selector: str = "main") -> str:
    node = LexborHTMLParser(response.text).css_first(selector)
    assert node is not None, f"no {selector} on the page"
    return " ".join(node.text(separator=" ").split())


async def test_the_page_shows_what_the_api_shows(world: World) -> None:
    reference = world.refs["leeds"]
    api = (await world.api(f"/vacancies/vacancy/{reference}")).json()
    response = await world.page(reference)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    page = text_of(response)
    assert text_of(response, "h1") == api["title"] == "Apprentice Software Developer"
    assert text_of(response, "title").startswith("Apprentice Software Developer - ")
    assert text_of(response, "#employer-name") == api["employerName"] == "Acme Engineering Ltd"
    for shown in (
        "Join our team and learn on the job while you study.",  # description
        "A full description of the role.",  # fullDescription, from its HTML
        "Day release at college.",
        "A permanent job.",
        "We make things.",
        "£18,500 a year",
        "Monday to Friday, 9am to 5pm",
        "37.5 hours a week",
        "18 months",
        f"VAC{reference}",
        "Plumbing and domestic heating technician (level 3)",
        "Construction and the built environment",
        "Northfield College (UKPRN 10000001)",
        "Communication skills",
        "IT skills",
        "GCSE Maths 4 Essential",
        "10 High Street Leeds LS1 4AB",
        "Sam Jones",
        "sam@acme.example.com",
        "Disability Confident",
    ):
        assert shown in page, shown
    closing = datetime.fromisoformat(api["closingDate"])
    assert f"Closes on {closing.day} {closing:%B %Y}" in page
    # The fields' HTML is the advert's own paragraphs, styled; nothing else.
    assert '<p class="govuk-body">A full description of the role.</p>' in response.text
    website = LexborHTMLParser(response.text).css_first('a[href="https://acme.example.com"]')
    assert website is not None


async def test_anonymous_employers_stay_anonymous(world: World) -> None:
    reference = world.refs["anonymous"]
    api = (await world.api(f"/vacancies/vacancy/{reference}")).json()
    response = await world.page(reference)
    assert response.status_code == 200
    page = text_of(response, "body")
    assert text_of(response, "#employer-name") == api["employerName"]
    assert api["employerName"] == "A leading engineering firm"
    for secret in ("Brightway", "10 High Street", "LS1 4AB", "Sam Jones", "acme.example.com"):
        assert secret not in page, secret
        assert secret not in response.text, secret
    # Only what the API publishes: the town and the postcode district.
    assert "Leeds LS1" in page
    assert "Contact" not in page


async def test_national_adverts_and_wage_types_are_described(world: World) -> None:
    response = await world.page(world.refs["national"])
    page = text_of(response)
    assert "recruiting nationally" in page
    assert "Anywhere in England." in page
    assert "National Minimum Wage for apprentices" in page
    assert "High Street" not in page


async def test_adverts_applied_to_elsewhere_link_there_and_others_here(world: World) -> None:
    external = (await world.api(f"/vacancies/vacancy/{world.refs['external']}")).json()
    assert external["applicationUrl"] == "https://jobs.acme.example/apply?id=7"
    assert external["vacancyUrl"] == (
        f"{PUBLIC_URL}/apprenticeship/reference/{world.refs['external']}"
    )
    page = LexborHTMLParser((await world.page(world.refs["external"])).text)
    button = page.css_first("a.govuk-button")
    assert button is not None
    assert button.attributes["href"] == "https://jobs.acme.example/apply?id=7"
    assert "Apply now" in button.text()

    here = (await world.api(f"/vacancies/vacancy/{world.refs['leeds']}")).json()
    assert here["applicationUrl"] == here["vacancyUrl"]
    response = await world.page(world.refs["leeds"])
    assert LexborHTMLParser(response.text).css_first("a.govuk-button") is None
    assert f"Quote the reference VAC{world.refs['leeds']}" in text_of(response)


async def test_every_vacancy_url_in_a_search_is_its_page(world: World) -> None:
    body = (await world.api("/vacancies/vacancy?PageSize=100")).json()
    assert len(body["vacancies"]) == 5
    for advert in body["vacancies"]:
        url = urlsplit(advert["vacancyUrl"])
        assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
        response = await world.client.get(url.path)
        assert response.status_code == 200, advert["vacancyUrl"]
        assert text_of(response, "h1") == advert["title"]


async def test_text_from_adverts_is_escaped(world: World) -> None:
    response = await world.page(world.refs["markup"])
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "Apprentice &lt;script&gt;alert(1)&lt;/script&gt; welder" in response.text


async def test_the_sandbox_advert_of_a_sandbox_vacancy_url_is_shown_as_test_data(
    world: World,
) -> None:
    reference = world.refs["sandbox"]
    api = (await world.api(f"/vacancies/vacancy/{reference}", sandbox=True)).json()
    response = await world.client.get(urlsplit(api["vacancyUrl"]).path)
    assert response.status_code == 200
    assert text_of(response, "h1") == "Sandbox Apprentice Baker"
    assert "not a real apprenticeship" in text_of(response, "#sandbox-notice")
    assert '<meta name="robots" content="noindex">' in response.text
    live = await world.page(world.refs["leeds"])
    assert "sandbox-notice" not in live.text and "noindex" not in live.text


@pytest.mark.parametrize(
    "reference", ["submitted", "closed", "expired", "9999999999", "VACnope", "-1", "1.5"]
)
async def test_adverts_that_are_not_live_are_the_404_page(world: World, reference: str) -> None:
    response = await world.page(world.refs.get(reference, reference))
    assert response.status_code == 404
    assert text_of(response, "h1") == "Page not found"
    assert "may have closed" in text_of(response)
    assert "location" not in response.headers


@pytest.mark.parametrize(
    "path",
    ["/apprenticeship", "/apprenticeship/", "/apprenticeship/reference", "/apprenticeship/x"],
)
async def test_other_paths_under_apprenticeship_are_the_404_page(world: World, path: str) -> None:
    response = await world.client.get(path)
    assert response.status_code == 404
    if path != "/apprenticeship":  # the mount's own prefix is the gateway's
        assert text_of(response, "h1") == "Page not found"
    assert "location" not in response.headers


async def test_the_reference_may_carry_its_prefix(world: World) -> None:
    response = await world.page(f"VAC{world.refs['leeds']}")
    assert response.status_code == 200
    assert text_of(response, "h1") == "Apprentice Software Developer"
