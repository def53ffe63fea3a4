"""The usage pages over real recorded traffic: requests made through the gateway, counted
by the platform's own usage recorder and flushed, then read back as the chart (its bars
match the counts), the table of hours, the status-code mix and the 429s, per
organisation and per key; another organisation's key is a 404."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.keys.service import IssuedKey
from apprenticeships.usage.service import CHART_HOURS, hour_start
from tests import builders
from tests.conftest import PlatformFactory, client_for
from tests.portal.support import Person, make_person, sign_in

pytestmark = pytest.mark.asyncio

HOUR = timedelta(hours=1)
# Whole-hour tolerance of the SVG's rounding (positions have two decimals).
ROUNDING = 0.02


class Clock:
    """The platform's clocks, moved by the test: the portal's (``now``) and the
    gateway's (``epoch``), which dates each request's usage."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def epoch(self) -> float:
        return self.moment.timestamp()


@dataclass
class World:
    platform: Platform
    client: httpx.AsyncClient
    clock: Clock
    owner: Person
    keys: dict[str, IssuedKey]
    other_key: IssuedKey

    async def call(self, name: str, version: str = "2", sandbox: bool = False) -> int:
        prefix = "/sandbox" if sandbox else ""
        answer = await self.client.get(
            f"{prefix}/vacancies/vacancy",
            headers={"Ocp-Apim-Subscription-Key": self.keys[name].secret, "X-Version": version},
        )
        return answer.status_code

    async def page(self, path: str) -> LexborHTMLParser:
        response = await self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return LexborHTMLParser(response.text)


@pytest.fixture
async def world(platform_factory: PlatformFactory) -> AsyncIterator[World]:
    # Half past an hour a few hours ahead: every request below falls in a known hour, and
    # after everything made at the real time (people's passwords, the version release).
    start = hour_start(datetime.now(UTC)) + 5 * HOUR + timedelta(minutes=30)
    clock = Clock(start)
    async with (
        platform_factory(clock=clock.now, epoch_clock=clock.epoch) as platform,
        client_for(platform) as client,
    ):
        owner = await make_person(
            platform, "owner@usage.example", kind=OwnerKind.EMPLOYER, role=Role.OWNER
        )
        employer = f"employer:{owner.public_id}"
        sessions, secret = platform.sessions, platform.secret_key
        keys = {
            "website": await builders.issue_key(sessions, secret, employer, name="Website"),
            "tests": await builders.issue_key(
                sessions, secret, employer, "display-advert-sandbox", name="Tests"
            ),
        }
        # Three calls per window on the live subscription: the rest are 429s.
        await builders.set_limit(sessions, secret, "display-advert", "3/300", employer)
        stranger = await builders.create_developer(sessions, "stranger@usage.example")
        other_key = await builders.issue_key(sessions, secret, f"developer:{stranger}")
        yield World(platform, client, clock, owner, keys, other_key)


def text(node: LexborNode | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


def bars(page: LexborHTMLParser) -> dict[tuple[str, str], LexborNode]:
    return {
        (rect.attributes["data-hour"] or "", rect.attributes["data-class"] or ""): rect
        for rect in page.css("svg#usage-chart rect")
    }


def number(node: LexborNode, attribute: str) -> float:
    return float(node.attributes[attribute] or "nan")


def hour_row(page: LexborHTMLParser, hour: datetime) -> dict[str, int]:
    row = page.css_first(f'#usage-hours-table tr[data-hour="{hour.isoformat()}"]')
    assert row is not None, hour
    return {
        cell.attributes["data-class"] or "": int(text(cell).replace(",", ""))
        for cell in row.css("td")
    }


def check_chart(page: LexborHTMLParser, expected: dict[datetime, dict[str, int]]) -> None:
    """Every bar is an hour's count of one status class, to scale, stacked without gaps;
    hours that are not expected have none."""
    svg = page.css_first("svg#usage-chart")
    assert svg is not None
    assert svg.attributes["role"] == "img"
    labelled = (svg.attributes["aria-labelledby"] or "").split()
    assert [page.css_first(f"#{i}").tag for i in labelled] == ["title", "desc"]
    scale = number(svg, "data-scale")
    height = number(svg, "data-plot-height")
    busiest = max(sum(classes.values()) for classes in expected.values())
    assert busiest <= scale < 2.5 * busiest or scale == 1
    found = bars(page)
    assert {(hour, kind) for hour, kind in found} == {
        (hour.isoformat(), kind) for hour, classes in expected.items() for kind in classes
    }
    for hour, classes in expected.items():
        stacked = sorted(
            (found[(hour.isoformat(), kind)] for kind in classes),
            key=lambda rect: -number(rect, "y"),
        )
        for rect in stacked:
            kind = rect.attributes["data-class"] or ""
            assert int(rect.attributes["data-requests"] or 0) == classes[kind]
            assert abs(number(rect, "height") - classes[kind] / scale * height) <= ROUNDING
        for lower, upper in itertools.pairwise(stacked):
            assert abs(number(upper, "y") + number(upper, "height") - number(lower, "y")) <= 0.01
        assert [r.attributes["data-class"] for r in stacked] == [
            k for k in ("2xx", "3xx", "4xx", "429", "5xx") if k in classes
        ]
    for tick in svg.css("text[data-tick]"):
        assert 0 <= int(tick.attributes["data-tick"] or -1) <= scale


async def test_the_organisation_page_charts_requests_per_hour_from_recorded_traffic(
    world: World,
) -> None:
    earlier = world.clock.moment - 3 * HOUR
    now = world.clock.moment
    world.clock.moment = earlier
    assert [await world.call("tests", sandbox=True) for _ in range(2)] == [200, 200]
    world.clock.moment = now
    assert [await world.call("website") for _ in range(5)] == [200, 200, 200, 429, 429]
    assert await world.call("website", version="9") == 404  # counted: it had a key
    assert await world.call("tests", sandbox=False) == 401  # a sandbox key on live: no key
    assert await world.platform.usage.flush() == 2

    await sign_in(world.client, world.owner)
    page = await world.page("/portal/usage")
    assert text(page.css_first("h1")) == "Usage"
    assert text(page.css_first("#usage-requests")) == "8"
    assert text(page.css_first("#usage-429")) == "2"
    this_hour, that_hour = hour_start(now), hour_start(earlier)
    expected = {this_hour: {"2xx": 3, "4xx": 1, "429": 2}, that_hour: {"2xx": 2}}
    check_chart(page, expected)

    # The same figures in the table, every hour of the 7 days listed.
    rows = page.css("#usage-hours-table tbody tr")
    assert len(rows) == CHART_HOURS
    assert rows[-1].attributes["data-hour"] == this_hour.isoformat()
    assert hour_row(page, this_hour) == {
        "all": 6, "2xx": 3, "3xx": 0, "4xx": 1, "429": 2, "5xx": 0
    }  # fmt: skip
    assert hour_row(page, that_hour)["all"] == 2
    assert sum(hour_row(page, h)["all"] for h in (this_hour - HOUR, that_hour - HOUR)) == 0
    # It sits in a details element, so it takes no room until it is opened.
    assert page.css_first("details#usage-hours table#usage-hours-table") is not None

    mix = {
        row.attributes["data-class"]: [text(cell) for cell in row.css("td")]
        for row in page.css("#usage-mix tbody tr")
    }
    assert mix == {
        "2xx": ["5", "62.5%"], "3xx": ["0", "0.0%"], "4xx": ["1", "12.5%"],
        "429": ["2", "25.0%"], "5xx": ["0", "0.0%"], "all": ["8", "100%"],
    }  # fmt: skip

    keys = {
        row.attributes["data-key"]: [text(row.css_first("th"))]
        + [text(cell) for cell in row.css("td")]
        for row in page.css("#usage-keys tbody tr")
    }
    website, tests = world.keys["website"], world.keys["tests"]
    assert keys == {
        website.key_id: [f"Website usage {website.fragment}", "Display advert API", "6", "2"],
        tests.key_id: [f"Tests usage {tests.fragment}", "Display advert API sandbox", "2", "0"],
    }
    link = page.css_first(f'tr[data-key="{website.key_id}"] a')
    assert link is not None and link.attributes["href"] == f"/portal/keys/{website.key_id}/usage"
    navigation = [text(a) for a in page.css(".govuk-service-navigation__link")]
    assert "Usage" in navigation


async def test_a_key_page_shows_only_that_key_at_both_addresses(world: World) -> None:
    assert [await world.call("website") for _ in range(4)] == [200, 200, 200, 429]
    assert await world.call("tests", sandbox=True) == 200
    await world.platform.usage.flush()
    await sign_in(world.client, world.owner)
    website = world.keys["website"]
    hour = hour_start(world.clock.moment)
    for path in (f"/portal/keys/{website.key_id}/usage", f"/portal/usage?key={website.key_id}"):
        page = await world.page(path)
        assert text(page.css_first("h1")) == "Usage of Website"
        assert website.fragment in text(page.css_first("#key-facts"))
        assert text(page.css_first("#usage-requests")) == "4"
        assert text(page.css_first("#usage-429")) == "1"
        check_chart(page, {hour: {"2xx": 3, "429": 1}})
        title = text(page.css_first("svg#usage-chart title"))
        assert title.startswith("Requests per hour made with the key Website")
        back = page.css_first(".govuk-back-link")
        assert back is not None and back.attributes["href"] == "/portal/usage"


async def test_with_no_traffic_the_chart_is_empty_and_says_so(world: World) -> None:
    await sign_in(world.client, world.owner)
    page = await world.page("/portal/usage")
    assert bars(page) == {}
    assert text(page.css_first("#usage-requests")) == "0"
    description = text(page.css_first("svg#usage-chart desc"))
    assert "0 requests in all, 0 of them rate limited (429)." in description
    assert "busiest" not in description
    assert [text(t) for t in page.css("svg#usage-chart text[data-tick]")] == ["0", "1"]


async def test_another_organisations_key_and_unknown_keys_are_not_found(world: World) -> None:
    await world.client.get(
        "/vacancies/vacancy",
        headers={"Ocp-Apim-Subscription-Key": world.other_key.secret, "X-Version": "2"},
    )
    await world.platform.usage.flush()
    await sign_in(world.client, world.owner)
    for key_id in (world.other_key.key_id, "key_0000000000000000", "x"):
        for path in (f"/portal/keys/{key_id}/usage", f"/portal/usage?key={key_id}"):
            response = await world.client.get(path)
            assert response.status_code == 404, path
            assert "Page not found" in response.text
            assert world.other_key.fragment not in response.text
    # Nor does the stranger's traffic show in this organisation's figures.
    page = await world.page("/portal/usage")
    assert text(page.css_first("#usage-requests")) == "0"


async def test_every_member_sees_usage_and_anonymous_visitors_sign_in_first(
    world: World,
) -> None:
    for path in ("/portal/usage", f"/portal/keys/{world.keys['website'].key_id}/usage"):
        response = await world.client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/portal/sign-in"
    viewer = await make_person(
        world.platform,
        "viewer@usage.example",
        kind=OwnerKind.EMPLOYER,
        role=Role.VIEWER,
        organisation_public_id=world.owner.public_id,
    )
    async with client_for(world.platform) as other:
        await sign_in(other, viewer)
        response = await other.get(f"/portal/keys/{world.keys['tests'].key_id}/usage")
        assert response.status_code == 200
        assert "Usage of Tests" in response.text


async def test_the_api_list_links_each_key_to_its_usage(world: World) -> None:
    await sign_in(world.client, world.owner)
    listing = await world.page("/portal/apis")
    for key in world.keys.values():
        link = listing.css_first(f'tr#key-{key.key_id} a[href="/portal/usage?key={key.key_id}"]')
        assert link is not None, key.key_id
    website = world.keys["website"]
    link = listing.css_first(f'a[href="/portal/usage?key={website.key_id}"]')
    assert text(link) == "7 days of Website's usage"
    page = await world.page(link.attributes["href"] or "")  # type: ignore[union-attr]
    assert text(page.css_first("h1")) == "Usage of Website"
