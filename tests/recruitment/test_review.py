"""Reviewing adverts: the CLI's list, approve and reject, the employer's review of a
provider's advert, and the whole journey from POST to the Display advert API and out of
it again when the advert closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from apprenticeships.app import Platform
from apprenticeships.errors import Conflict, NotFound
from apprenticeships.recruitment.review import ReviewService
from apprenticeships.settings import Settings
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import CacheEvent, Vacancy
from tests.conftest import client_for
from tests.portal.support import Mailbox
from tests.recruitment.bodies import changed, valid_body
from tests.recruitment.conftest import Recruiting, build_recruiting
from tests.support.cli import Run, cli_runner


class Clock:
    """A clock the test can move; the platform reads the time from it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
async def reviewing(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[tuple[Recruiting, Clock]]:
    clock = Clock()
    platform = Platform(
        make_settings(database_url=database_url, rate_limit="1000000/300", cache_poll_seconds=0.1),
        clock=clock,
    )
    async with platform.running(), client_for(platform) as http:
        yield await build_recruiting(platform, http), clock


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Run:
    return cli_runner(monkeypatch, tmp_path, database_url)


async def cli(run: Run, *args: str, ok: bool = True) -> tuple[str, str]:
    # The CLI runs its own event loop, so it gets a thread of its own.
    result = await asyncio.to_thread(run, *args, ok=ok)
    return result.stdout, result.stderr


async def vacancy(world: Recruiting, reference: str) -> Vacancy:
    async with world.platform.sessions() as session:
        found = await session.scalar(select(Vacancy).where(Vacancy.reference == int(reference)))
        assert found is not None
        return found


async def create(world: Recruiting, key: str = "employer", **changes: object) -> str:
    body = valid_body(world.legal_entity, ukprn=None if "provider" in key else 10000001)
    for path, value in changes.items():
        body = changed(body, path.replace("__", "."), value)
    response = await world.post(body, key=key)
    assert response.status_code == 201, response.text
    reference: str = response.json()["vacancyReference"]
    return reference


async def eventually(check: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait for ``check`` (async) to return truthy: the index is rebuilt in the background."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():  # type: ignore[misc]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_an_approved_advert_is_live_in_both_versions_until_it_closes(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, clock = reviewing
    reference = await create(
        world,
        title="Apprentice Data Analyst",
        description="<P>Build dashboards</P>",
        employerNameOption="TradingName",
        alternativeEmployerName="Acme Data",
    )
    display = {"key": "display", "version": "2"}
    assert (await world.get(f"/vacancies/vacancy/{reference}", **display)).status_code == 404

    stdout, _ = await cli(run, "vacancies", "list")
    assert f"VAC{reference}" in stdout and "Apprentice Data Analyst" in stdout
    _, stderr = await cli(run, "vacancies", "approve", f"VAC{reference}")
    closing = (clock() + timedelta(days=14)).date()
    assert stderr == f"VAC{reference} is live until {closing.isoformat()}.\n"
    stored = await vacancy(world, reference)
    assert stored.status == "Live" and stored.posted_at is not None
    assert stored.reviewed_by is not None and stored.reviewed_by.startswith("cli")

    async def searchable() -> bool:
        found = await world.get("/vacancies/vacancy", StandardLarsCode=2, **display)
        return reference in [v["vacancyReference"] for v in found.json()["vacancies"]]

    await eventually(searchable)
    v2 = (await world.get(f"/vacancies/vacancy/{reference}", **display)).json()
    assert v2["title"] == "Apprentice Data Analyst"
    assert v2["fullDescription"] == "<p>Build dashboards</p>"
    assert v2["employerName"] == "Acme Data"
    assert v2["wage"]["wageType"] == "Custom" and v2["wage"]["wageAmount"] == 25000.0
    assert v2["addresses"][0]["postcode"] == "LS1 5AB"
    assert v2["course"]["larsCode"] == 2
    assert v2["skills"] == ["IT skills", "Team working"]
    assert v2["closingDate"].startswith(closing.isoformat())
    assert v2["companyBenefitsInformation"] == "<ul><li>25 days holiday</li><li>Pension</li></ul>"
    v1 = (await world.get(f"/vacancies/vacancy/VAC{reference}", key="display", version="1")).json()
    assert v1["title"] == "Apprentice Data Analyst"
    assert v1["address"]["postcode"] == "LS1 5AB"
    assert v1["fullDescription"] == "<p>Build dashboards</p>"
    near_leeds = await world.get(
        "/vacancies/vacancy", Lat=53.8, Lon=-1.55, DistanceInMiles=5, key="display", version="1"
    )
    assert [v["vacancyReference"] for v in near_leeds.json()["vacancies"]] == [reference]

    # The day after the closing date it is gone from searches and from its own page.
    clock.offset = datetime.combine(closing + timedelta(days=1), time(0, 1), UTC) - datetime.now(
        UTC
    )
    assert (await world.get(f"/vacancies/vacancy/{reference}", **display)).status_code == 404
    gone = await world.get("/vacancies/vacancy", **display)
    assert gone.json()["total"] == 0


async def test_approving_writes_one_cache_event_for_every_process(
    reviewing: tuple[Recruiting, Clock],
) -> None:
    world, clock = reviewing
    reference = await create(world)
    async with unit_of_work(world.platform.sessions) as session:
        await ReviewService(session).approve(reference, "admin@example.com", clock())
    async with world.platform.sessions() as session:
        kinds = list(await session.scalars(select(CacheEvent.kind)))
    assert kinds.count("vacancies") == 1


async def test_reject_records_the_reason_and_the_advert_never_goes_live(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, _ = reviewing
    reference = await create(world)
    await cli(run, "vacancies", "reject", reference, ok=False)
    _, stderr = await cli(
        run, "vacancies", "reject", reference, "--reason", "Salary  is below the advertised\nrange"
    )
    assert stderr == f"VAC{reference} is rejected.\n"
    stored = await vacancy(world, reference)
    assert stored.status == "Rejected"
    assert stored.rejection_reason == "Salary is below the advertised range"
    _, stderr = await cli(run, "vacancies", "approve", reference, ok=False)
    assert stderr == (
        f"error: VAC{reference} is Rejected; only Submitted adverts can be approved\n"
    )
    stdout, _ = await cli(run, "vacancies", "list")
    assert f"VAC{reference}" not in stdout


async def test_the_cli_explains_what_it_cannot_review(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, _ = reviewing
    _, stderr = await cli(run, "vacancies", "approve", "VAC9999999999", ok=False)
    assert stderr == "error: there is no advert VAC9999999999\n"
    await cli(run, "vacancies", "approve", "not-a-reference", ok=False)
    waiting = await create(world, key="reviewed_provider")
    _, stderr = await cli(run, "vacancies", "approve", waiting, ok=False)
    assert "waiting for the employer's review" in stderr
    stdout, _ = await cli(run, "vacancies", "list", "--status", "review")
    assert f"VAC{waiting}" in stdout
    await cli(run, "vacancies", "list", "--status", "live", ok=False)


async def test_the_employer_sends_a_providers_advert_on_to_the_reviewers(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, clock = reviewing
    reference = await create(world, key="reviewed_provider")
    async with unit_of_work(world.platform.sessions) as session:
        service = ReviewService(session)
        with pytest.raises(NotFound, match="there is no advert"):
            await service.employer_review(world.other_employer, reference, True, clock())
    assert (await vacancy(world, reference)).status == "Review"
    async with unit_of_work(world.platform.sessions) as session:
        await ReviewService(session).employer_review(world.employer, reference, True, clock())
    assert (await vacancy(world, reference)).status == "Submitted"
    await cli(run, "vacancies", "approve", reference)
    assert (await vacancy(world, reference)).status == "Live"

    declined = await create(world, key="reviewed_provider")
    async with unit_of_work(world.platform.sessions) as session:
        await ReviewService(session).employer_review(
            world.employer, declined, False, clock(), "Not this year"
        )
    stored = await vacancy(world, declined)
    assert (stored.status, stored.rejection_reason) == ("Rejected", "Not this year")


async def test_an_advert_whose_closing_date_passed_cannot_be_approved(
    reviewing: tuple[Recruiting, Clock],
) -> None:
    world, clock = reviewing
    reference = await create(world)
    clock.offset = timedelta(days=15)
    async with unit_of_work(world.platform.sessions) as session:
        with pytest.raises(Conflict, match="closed on"):
            await ReviewService(session).approve(reference, "admin", clock())
    assert (await vacancy(world, reference)).status == "Submitted"


async def test_markup_tricks_reach_the_display_advert_api_as_plain_text(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, _ = reviewing
    reference = await create(
        world,
        title="Apprentice & trainee (level 3)",
        description="<p>&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;</p>",
        employerDescription="<ul>\n<li>Q&A</li>\n<li>R&amp;D</li>\n</ul>",
    )
    await cli(run, "vacancies", "approve", reference)
    shown = (await world.get(f"/vacancies/vacancy/{reference}", key="display", version="2")).json()
    assert shown["title"] == "Apprentice & trainee (level 3)"
    assert shown["fullDescription"] == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>"
    )
    assert shown["employerDescription"] == "<ul>\n<li>Q&amp;A</li>\n<li>R&amp;D</li>\n</ul>"


async def test_the_cli_closes_a_live_advert_and_the_submitter_hears_of_each_outcome(
    reviewing: tuple[Recruiting, Clock], run: Run
) -> None:
    world, _ = reviewing
    mailbox = Mailbox(world.platform.settings.resolved_mail_dir)
    reference = await create(world)
    _, stderr = await cli(run, "vacancies", "close", reference, ok=False)
    assert stderr == f"error: VAC{reference} is Submitted; only Live adverts can be closed\n"
    await cli(run, "vacancies", "approve", reference)
    live = await mailbox.next_to("sam@acme.example.com", f"VAC{reference}")
    assert live["Subject"] == f"Your advert VAC{reference} is live"
    display = {"key": "display", "version": "2"}

    async def searchable() -> bool:
        found = await world.get("/vacancies/vacancy", **display)
        return reference in [v["vacancyReference"] for v in found.json()["vacancies"]]

    async def gone() -> bool:
        return not await searchable()

    await eventually(searchable)
    _, stderr = await cli(run, "vacancies", "close", f"VAC{reference}")
    assert stderr == f"VAC{reference} is closed.\n"
    assert (await vacancy(world, reference)).status == "Closed"
    assert (await world.get(f"/vacancies/vacancy/{reference}", **display)).status_code == 404
    await eventually(gone, seconds=2.0)
    closed = await mailbox.next_to("sam@acme.example.com", f"VAC{reference}")
    assert closed["Subject"] == f"Your advert VAC{reference} has closed"
    _, stderr = await cli(run, "vacancies", "close", reference, ok=False)
    assert "is Closed; only Live adverts can be closed" in stderr

    rejected = await create(world)
    _, stderr = await cli(run, "vacancies", "reject", rejected, ok=False)
    assert stderr == "error: reason: Enter a reason for rejecting the advert\n"
    await cli(run, "vacancies", "reject", rejected, "--reason", "Wage too low")
    message = await mailbox.next_to("sam@acme.example.com", f"VAC{rejected}")
    assert message["Subject"] == f"Your advert VAC{rejected} was rejected"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Wage too low" in body.get_content()


async def test_of_two_reviews_racing_only_the_first_changes_the_advert(
    reviewing: tuple[Recruiting, Clock],
) -> None:
    """The second reviewer read the advert while it was still Submitted; the first then
    approved it. The second's rejection finds the status changed and changes nothing."""
    world, clock = reviewing
    reference = await create(world)
    async with unit_of_work(world.platform.sessions) as late:
        # The late reviewer's view of the advert, from before the approval.
        stale = await late.scalar(select(Vacancy).where(Vacancy.reference == int(reference)))
        assert stale is not None and stale.status == "Submitted"
        async with unit_of_work(world.platform.sessions) as first:
            await ReviewService(first).approve(reference, "first@example.com", clock())
        with pytest.raises(Conflict, match="changed by someone else"):
            await ReviewService(late).reject(reference, "Too late", "late@example.com", clock())
    stored = await vacancy(world, reference)
    assert (stored.status, stored.rejection_reason, stored.reviewed_by) == (
        "Live",
        None,
        "first@example.com",
    )
