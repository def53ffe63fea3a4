"""Advert review in the portal, over HTTP: adverts made through the real Recruitment API,
reviewed by an employer's Owners and Transactors and by platform admins, closed early;
what the Display advert API shows afterwards, the emails to the submitter and the audit
log; and that nobody else can see or change an advert."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.app import Platform
from apprenticeships.audit.vocabulary import AuditAction
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import Forbidden
from apprenticeships.portal.review import PortalReview
from apprenticeships.portal.web import Identity
from apprenticeships.storage.models import (
    AuditEvent,
    CacheEvent,
    Membership,
    Organisation,
    Vacancy,
)
from tests.conftest import PlatformFactory, client_for
from tests.portal.support import Mailbox, Person, csrf_token, make_person, sign_in, submit
from tests.recruitment.bodies import valid_body
from tests.recruitment.conftest import Recruiting, build_recruiting

pytestmark = pytest.mark.asyncio
SUBMITTER = "sam@acme.example.com"  # the submitter contact in valid_body()


@dataclass
class Review:
    """The Recruitment world, a browser-like client for people, and the mail sent."""

    world: Recruiting
    platform: Platform
    mailbox: Mailbox

    def client(self) -> httpx.AsyncClient:
        return client_for(self.platform)

    async def person(self, email: str, role: Role | None = None, *, other: bool = False) -> Person:
        """An admin (no role), or a person of the world's employer (or the other one)."""
        if role is None:
            return await make_person(self.platform, email, admin=True, name="Ada Admin")
        employer = self.world.other_employer if other else self.world.employer
        return await make_person(
            self.platform, email, kind=OwnerKind.EMPLOYER, role=role,
            organisation_public_id=employer, name="Erin Employer",
        )  # fmt: skip

    async def advert(
        self, key: str = "employer", title: str | None = None, **fields: object
    ) -> str:
        """A new advert through the Recruitment API: Submitted from the employer's key,
        in Review from the provider that needs the employer's agreement."""
        body = valid_body(self.world.legal_entity, ukprn=None if "provider" in key else 10000001)
        if title is not None:
            body["title"] = title
        body.update(fields)
        response = await self.world.post(body, key=key)
        assert response.status_code == 201, response.text
        reference: str = response.json()["vacancyReference"]
        return reference

    async def stored(self, reference: str) -> Vacancy:
        async with self.platform.sessions() as session:
            found = await session.scalar(select(Vacancy).where(Vacancy.reference == int(reference)))
            assert found is not None
            return found

    async def audit(self) -> list[tuple[str, str | None, int | None, dict[str, str]]]:
        async with self.platform.sessions() as session:
            rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            return [
                (row.action, row.actor_email, row.organisation_id, dict(row.details))
                for row in rows
                if row.action.startswith("advert_")
            ]

    async def organisation_id(self, public_id: str) -> int:
        async with self.platform.sessions() as session:
            found = await session.scalar(
                select(Organisation.id).where(Organisation.public_id == public_id)
            )
            assert found is not None
            return int(found)

    async def displayed(self, reference: str) -> httpx.Response:
        return await self.world.get(f"/vacancies/vacancy/{reference}", key="display", version="2")

    async def searchable(self, reference: str) -> bool:
        found = await self.world.get("/vacancies/vacancy", key="display", version="2")
        return reference in [v["vacancyReference"] for v in found.json()["vacancies"]]

    async def unsearchable(self, reference: str) -> bool:
        return not await self.searchable(reference)


async def _review(platform: Platform) -> AsyncIterator[Review]:
    async with client_for(platform) as http:
        world = await build_recruiting(platform, http)
        yield Review(world, platform, Mailbox(platform.settings.resolved_mail_dir))


@pytest.fixture
async def review(platform_factory: PlatformFactory) -> AsyncIterator[Review]:
    """On SQLite."""
    async with platform_factory(rate_limit="1000000/300", cache_poll_seconds=0.1) as platform:
        async for made in _review(platform):
            yield made


@pytest.fixture
async def review_everywhere(
    platform_factory: PlatformFactory, database_url: str
) -> AsyncIterator[Review]:
    """On SQLite and on PostgreSQL."""
    async with platform_factory(
        database_url=database_url, rate_limit="1000000/300", cache_poll_seconds=0.1
    ) as platform:
        async for made in _review(platform):
            yield made


async def eventually(check: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():  # type: ignore[misc]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def text_of(response: httpx.Response) -> str:
    """The page's main content as text, whitespace collapsed."""
    main = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def decide(
    client: httpx.AsyncClient, path: str, decision: str, reason: str = ""
) -> httpx.Response:
    return await submit(client, path, {"decision": decision, "reason": reason})


async def test_an_employer_owner_approves_a_providers_advert_and_it_goes_to_the_platform(
    review_everywhere: Review,
) -> None:
    review = review_everywhere
    reference = await review.advert("reviewed_provider", title="Apprentice Welder")
    assert (await review.stored(reference)).status == "Review"
    owner = await review.person("owner@acme.example.com", Role.OWNER)
    async with review.client() as client:
        await sign_in(client, owner)
        listed = await client.get("/portal/review")
        assert listed.status_code == 200
        assert f'href="/portal/review/VAC{reference}"' in listed.text
        assert "Apprentice Welder" in listed.text and "Southgate Training" in listed.text

        page = await client.get(f"/portal/review/VAC{reference}")
        assert page.status_code == 200
        shown = text_of(page)
        for expected in (
            "Apprentice Welder",
            "Southgate Training (UKPRN 10000002)",
            "Acme Engineering Ltd",
            "Join our software team and learn to build web applications while you study.",
            "£25,000 a year",
            "37.5 hours a week",
            "1 Park Row, Leeds, LS1 5AB",
            "Waiting for the employer",
            "Reason for rejecting",
        ):
            assert expected in shown, expected
        assert 'value="approve" name="decision"' in page.text
        assert 'value="reject" name="decision"' in page.text
        assert "Close advert" not in shown

        done = await decide(client, f"/portal/review/VAC{reference}", "approve")
        assert done.status_code == 200
        assert "Advert approved" in text_of(done)
        after = await client.get("/portal/review")
        assert f"VAC{reference}" not in after.text

    stored = await review.stored(reference)
    assert stored.status == "Submitted" and stored.reviewed_at is None
    # Not live until the platform's reviewers approve it.
    assert (await review.displayed(reference)).status_code == 404
    message = await review.mailbox.next_to(SUBMITTER, f"VAC{reference}")
    assert message["Subject"] == f"Your advert VAC{reference} was approved by the employer"
    assert "Apprentice Welder" in body_of(message)
    employer_id = await review.organisation_id(review.world.employer)
    provider_id = await review.organisation_id(review.world.reviewed_provider)
    details = {"reference": f"VAC{reference}", "status": "Submitted"}
    assert await review.audit() == [
        (AuditAction.ADVERT_APPROVED, owner.email, employer_id, details),
        (AuditAction.ADVERT_APPROVED, owner.email, provider_id, details),
    ]

    # The platform's queue has it now.
    admin = await review.person("admin@platform.example.com")
    async with review.client() as client:
        signed_in = await sign_in(client, admin)
        assert signed_in.headers["location"] == "/portal/admin/adverts"
        queue = await client.get("/portal/admin/adverts")
        assert f'href="/portal/admin/adverts/VAC{reference}"' in queue.text


async def test_an_admin_approves_a_submitted_advert_and_it_is_live_at_once(
    review_everywhere: Review,
) -> None:
    review = review_everywhere
    older = await review.advert(title="Apprentice Baker")
    reference = await review.advert(title="Apprentice Chef")
    admin = await review.person("admin@platform.example.com")
    async with review.client() as client:
        await sign_in(client, admin)
        queue = await client.get("/portal/admin/adverts")
        assert queue.status_code == 200
        # Oldest first.
        assert queue.text.index(f"VAC{older}") < queue.text.index(f"VAC{reference}")
        page = await client.get(f"/portal/admin/adverts/VAC{reference}")
        assert "Apprentice Chef" in text_of(page) and "Waiting for review" in text_of(page)
        done = await decide(client, f"/portal/admin/adverts/VAC{reference}", "approve")
        assert done.status_code == 200 and "Advert approved" in text_of(done)

    # Live in the Display advert API the moment the page answers.
    shown = await review.displayed(reference)
    assert shown.status_code == 200 and shown.json()["title"] == "Apprentice Chef"
    await eventually(lambda: review.searchable(reference))
    stored = await review.stored(reference)
    assert stored.status == "Live" and stored.reviewed_by == admin.email
    async with review.platform.sessions() as session:
        kinds = list(await session.scalars(select(CacheEvent.kind)))
    assert kinds.count("vacancies") == 1
    message = await review.mailbox.next_to(SUBMITTER, f"VAC{reference}")
    assert message["Subject"] == f"Your advert VAC{reference} is live"
    employer_id = await review.organisation_id(review.world.employer)
    assert await review.audit() == [
        (
            AuditAction.ADVERT_APPROVED,
            admin.email,
            employer_id,
            {"reference": f"VAC{reference}", "status": "Live"},
        )
    ]
    assert (await review.stored(older)).status == "Submitted"


async def test_rejecting_needs_a_reason_which_the_submitter_is_sent(review: Review) -> None:
    reference = await review.advert()
    admin = await review.person("admin@platform.example.com")
    path = f"/portal/admin/adverts/VAC{reference}"
    async with review.client() as client:
        await sign_in(client, admin)
        refused = await decide(client, path, "reject", "   ")
        assert refused.status_code == 400
        assert "<title>Error: " in refused.text
        assert '<a href="#reason">Enter a reason for rejecting the advert</a>' in refused.text
        assert (await review.stored(reference)).status == "Submitted"
        assert await review.audit() == []

        done = await decide(client, path, "reject", "The wage is  below\nthe legal minimum")
        assert done.status_code == 200 and "Advert rejected" in text_of(done)
        # A rejected advert stays readable, with the reason, and has no buttons.
        page = await client.get(path)
        assert "The wage is below the legal minimum" in text_of(page)
        assert 'value="approve"' not in page.text and "Close advert" not in page.text

    stored = await review.stored(reference)
    assert (stored.status, stored.rejection_reason) == (
        "Rejected",
        "The wage is below the legal minimum",
    )
    assert (await review.displayed(reference)).status_code == 404
    message = await review.mailbox.next_to(SUBMITTER, f"VAC{reference}")
    assert message["Subject"] == f"Your advert VAC{reference} was rejected"
    assert "The wage is below the legal minimum" in body_of(message)
    employer_id = await review.organisation_id(review.world.employer)
    assert await review.audit() == [
        (
            AuditAction.ADVERT_REJECTED,
            admin.email,
            employer_id,
            {
                "reference": f"VAC{reference}",
                "status": "Rejected",
                "reason": "The wage is below the legal minimum",
            },
        )
    ]


async def test_an_employer_transactor_rejects_a_providers_advert_with_a_reason(
    review: Review,
) -> None:
    reference = await review.advert("reviewed_provider")
    transactor = await review.person("transactor@acme.example.com", Role.TRANSACTOR)
    path = f"/portal/review/VAC{reference}"
    async with review.client() as client:
        await sign_in(client, transactor)
        refused = await decide(client, path, "reject")
        assert refused.status_code == 400
        assert "Enter a reason for rejecting the advert" in refused.text
        neither = await decide(client, path, "publish")
        assert neither.status_code == 400 and "Choose Approve or Reject" in neither.text
        assert (await review.stored(reference)).status == "Review"
        done = await decide(client, path, "reject", "We are not hiring this year")
        assert done.status_code == 200 and "Advert rejected" in text_of(done)
    stored = await review.stored(reference)
    assert (stored.status, stored.rejection_reason) == ("Rejected", "We are not hiring this year")
    message = await review.mailbox.next_to(SUBMITTER, f"VAC{reference}")
    assert message["Subject"] == f"Your advert VAC{reference} was rejected by the employer"
    assert "We are not hiring this year" in body_of(message)
    actions = [(action, details.get("reason")) for action, _, _, details in await review.audit()]
    assert actions == [(AuditAction.ADVERT_REJECTED, "We are not hiring this year")] * 2


async def test_admins_and_the_employer_close_live_adverts_early(review: Review) -> None:
    first = await review.advert(title="Apprentice Plumber")
    second = await review.advert(title="Apprentice Joiner")
    admin = await review.person("admin@platform.example.com")
    owner = await review.person("owner@acme.example.com", Role.OWNER)
    async with review.client() as client:
        await sign_in(client, admin)
        for reference in (first, second):
            await decide(client, f"/portal/admin/adverts/VAC{reference}", "approve")
        await eventually(lambda: review.searchable(second))
        assert (await client.get(f"/apprenticeship/reference/{first}")).status_code == 200
        page = await client.get(f"/portal/admin/adverts/VAC{first}")
        assert "Close advert" in text_of(page) and 'value="approve"' not in page.text
        closed = await submit(
            client, f"/portal/admin/adverts/VAC{first}/close", {},
            form_page=f"/portal/admin/adverts/VAC{first}",
        )  # fmt: skip
        assert closed.status_code == 200 and "Advert closed" in text_of(closed)
        # Closing twice: nothing more happens.
        again = await submit(
            client, f"/portal/admin/adverts/VAC{first}/close", {},
            form_page="/portal/admin/adverts",
        )  # fmt: skip
        assert again.status_code == 409 and "Nothing was changed" in text_of(again)
    async with review.client() as client:
        await sign_in(client, owner)
        # The employer finds its live advert by reference.
        found = await client.get("/portal/review", params={"reference": f"vac{second}"})
        assert found.status_code == 303
        assert found.headers["location"] == f"/portal/review/VAC{second}"
        closed = await submit(
            client, f"/portal/review/VAC{second}/close", {},
            form_page=f"/portal/review/VAC{second}",
        )  # fmt: skip
        assert closed.status_code == 200 and "Advert closed" in text_of(closed)

    async with review.client() as anyone:
        for reference in (first, second):
            assert (await review.stored(reference)).status == "Closed"
            assert (await review.displayed(reference)).status_code == 404
            public = await anyone.get(f"/apprenticeship/reference/{reference}")
            assert public.status_code == 404
    for reference in (first, second):
        message = await review.mailbox.next_to(SUBMITTER, f"VAC{reference} has closed")
        assert "closed early" in body_of(message)
    await eventually(lambda: review.unsearchable(first))
    await eventually(lambda: review.unsearchable(second))
    employer_id = await review.organisation_id(review.world.employer)
    closes = [
        (actor, organisation, details["reference"])
        for action, actor, organisation, details in await review.audit()
        if action == AuditAction.ADVERT_CLOSED
    ]
    assert closes == [
        (admin.email, employer_id, f"VAC{first}"),
        (owner.email, employer_id, f"VAC{second}"),
    ]


async def test_another_employers_advert_is_not_found_and_cannot_be_changed(
    review: Review,
) -> None:
    waiting = await review.advert("reviewed_provider")
    live = await review.advert()
    admin = await review.person("admin@platform.example.com")
    async with review.client() as client:
        await sign_in(client, admin)
        await decide(client, f"/portal/admin/adverts/VAC{live}", "approve")
    stranger = await review.person("owner@brightway.example.com", Role.OWNER, other=True)
    async with review.client() as client:
        await sign_in(client, stranger)
        listed = await client.get("/portal/review")
        assert listed.status_code == 200 and f"VAC{waiting}" not in listed.text
        for reference in (waiting, live, "VAC9999999999"):
            page = await client.get(f"/portal/review/{reference}")
            assert page.status_code == 404, reference
            assert "Page not found" in page.text
        lookup = await client.get("/portal/review", params={"reference": waiting})
        assert lookup.status_code == 400 and "There is no advert with that reference" in lookup.text
        token = csrf_token(listed.text)
        approve = await client.post(
            f"/portal/review/VAC{waiting}", data={"decision": "approve", "csrf_token": token}
        )
        assert approve.status_code == 404
        close = await client.post(f"/portal/review/VAC{live}/close", data={"csrf_token": token})
        assert close.status_code == 404
    assert (await review.stored(waiting)).status == "Review"
    assert (await review.stored(live)).status == "Live"
    assert [action for action, *_ in await review.audit()] == [AuditAction.ADVERT_APPROVED]


async def test_people_without_the_role_get_404_and_their_forged_posts_change_nothing(
    review: Review,
) -> None:
    waiting = await review.advert("reviewed_provider")
    submitted = await review.advert()
    viewer = await review.person("viewer@acme.example.com", Role.VIEWER)
    developer = await make_person(
        review.platform, "dev@elsewhere.example.com", kind=OwnerKind.DEVELOPER,
        role=Role.DEVELOPER,
    )  # fmt: skip
    for person in (viewer, developer):
        async with review.client() as client:
            await sign_in(client, person)
            own_page = await client.get("/portal/account")
            token = csrf_token(own_page.text)
            for path in (
                "/portal/review",
                f"/portal/review/VAC{waiting}",
                "/portal/admin/adverts",
                f"/portal/admin/adverts/VAC{submitted}",
            ):
                assert (await client.get(path)).status_code == 404, (person.email, path)
            forged = [
                (f"/portal/review/VAC{waiting}", {"decision": "approve"}),
                (f"/portal/admin/adverts/VAC{submitted}", {"decision": "approve"}),
                (f"/portal/admin/adverts/VAC{submitted}", {"decision": "reject", "reason": "x"}),
                (f"/portal/admin/adverts/VAC{submitted}/close", {}),
            ]
            for path, data in forged:
                answer = await client.post(path, data={**data, "csrf_token": token})
                assert answer.status_code == 404, (person.email, path)
            # Without a token it never gets that far.
            bare = await client.post(f"/portal/review/VAC{waiting}", data={"decision": "approve"})
            assert bare.status_code == 403
    assert (await review.stored(waiting)).status == "Review"
    assert (await review.stored(submitted)).status == "Submitted"
    assert await review.audit() == []
    assert review.mailbox.all_to(SUBMITTER) == []


async def test_a_role_taken_away_applies_to_the_next_request(review: Review) -> None:
    waiting = await review.advert("reviewed_provider")
    owner = await review.person("owner@acme.example.com", Role.OWNER)
    async with review.client() as client:
        await sign_in(client, owner)
        page = await client.get(f"/portal/review/VAC{waiting}")
        token = csrf_token(page.text)
        async with review.platform.sessions() as session, session.begin():
            membership = await session.scalar(
                select(Membership).where(Membership.user_id == owner.id)
            )
            assert membership is not None
            membership.role = Role.VIEWER
        answer = await client.post(
            f"/portal/review/VAC{waiting}", data={"decision": "approve", "csrf_token": token}
        )
        assert answer.status_code == 404
    assert (await review.stored(waiting)).status == "Review"


async def test_the_use_cases_check_the_role_themselves(review: Review) -> None:
    """Whatever a session claims, the review service reads the membership and the admin
    flag again in the use case's own transaction."""
    waiting = await review.advert("reviewed_provider")
    submitted = await review.advert()
    viewer = await review.person("viewer@acme.example.com", Role.VIEWER)
    use_cases = PortalReview(review.platform.sessions, lambda: datetime.now(UTC), lambda: None)
    claims_owner = Identity(
        user_id=viewer.id, email=viewer.email, name="Vic", is_admin=True,
        organisation_id=viewer.organisation_id, organisation_kind="employer",
        organisation_public_id=viewer.public_id, role=Role.OWNER.value, organisations=1,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        await use_cases.employer_decide(claims_owner, waiting, True, "", "127.0.0.1")
    with pytest.raises(Forbidden):
        await use_cases.employer_close(claims_owner, submitted, "127.0.0.1")
    with pytest.raises(Forbidden):
        await use_cases.admin_decide(claims_owner, submitted, True, "", "127.0.0.1")
    with pytest.raises(Forbidden):
        await use_cases.admin_close(claims_owner, submitted, "127.0.0.1")
    with pytest.raises(Forbidden):
        await use_cases.employer_queue(claims_owner)
    with pytest.raises(Forbidden):
        await use_cases.admin_queue(claims_owner)
    assert (await review.stored(waiting)).status == "Review"
    assert (await review.stored(submitted)).status == "Submitted"


async def test_an_advert_decided_meanwhile_cannot_be_decided_again(review: Review) -> None:
    reference = await review.advert()
    admin = await review.person("admin@platform.example.com")
    second_admin = await review.person("second@platform.example.com")
    path = f"/portal/admin/adverts/VAC{reference}"
    async with review.client() as first, review.client() as second:
        await sign_in(first, admin)
        await sign_in(second, second_admin)
        stale = await second.get(path)
        await decide(first, path, "approve")
        late = await second.post(
            path,
            data={"decision": "reject", "reason": "Too late", "csrf_token": csrf_token(stale.text)},
        )
        assert late.status_code == 409
        assert "only Submitted adverts can be rejected" in text_of(late)
    stored = await review.stored(reference)
    assert (stored.status, stored.rejection_reason) == ("Live", None)
    assert [action for action, *_ in await review.audit()] == [AuditAction.ADVERT_APPROVED]


async def test_finding_an_advert_by_reference(review: Review) -> None:
    reference = await review.advert()
    admin = await review.person("admin@platform.example.com")
    async with review.client() as client:
        await sign_in(client, admin)
        empty = await client.get("/portal/admin/adverts", params={"reference": "not a ref"})
        assert empty.status_code == 400
        assert "Enter an advert reference, like VAC1000012345" in empty.text
        missing = await client.get("/portal/admin/adverts", params={"reference": "VAC42"})
        assert missing.status_code == 400
        found = await client.get("/portal/admin/adverts", params={"reference": f" {reference} "})
        assert found.headers["location"] == f"/portal/admin/adverts/VAC{reference}"
        # The number without VAC works in the address too.
        assert (await client.get(f"/portal/admin/adverts/{reference}")).status_code == 200


async def test_reviewers_see_who_an_anonymous_advert_is_from(review: Review) -> None:
    reference = await review.advert(
        employerNameOption="Anonymous",
        alternativeEmployerName="A software company in Leeds",
        anonymousReason="We do not want to be contacted by agencies",
    )
    admin = await review.person("admin@platform.example.com")
    async with review.client() as client:
        await sign_in(client, admin)
        page = await client.get(f"/portal/admin/adverts/VAC{reference}")
    assert "Acme Engineering, shown anonymously as: A software company in Leeds" in text_of(page)
