"""What a person acting for an organisation may read of its usage, on SQLite and
PostgreSQL: the membership is checked on every call, keys are named and totalled over
the chart's 7 days, keys that no longer work are listed only when they were used, and
another organisation's key is not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.acting import Acting
from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.accounts.team import TeamService
from apprenticeships.catalog.products import OwnerKind
from apprenticeships.errors import Forbidden, NotFound
from apprenticeships.gateway.usage import UsageRecorder
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.usage.service import StatusMix, UsageService
from tests import builders

SECRET = b"test-secret"
H = datetime(2026, 3, 10, 14, tzinfo=UTC)
NOW = H + timedelta(minutes=30)


@dataclass
class Employer:
    id: int
    public_id: str
    acting: Acting


async def employer(sessions: async_sessionmaker[AsyncSession], name: str, email: str) -> Employer:
    async with unit_of_work(sessions) as session:
        organisation = await AccountService(session).add_employer(name, NOW)
        invitation = await TeamService(session, "https://example.test").add_person(
            OwnerRef(OwnerKind.EMPLOYER, organisation.public_id), email, "Sam Jones", "Viewer", NOW
        )
        return Employer(
            organisation.id,
            organisation.public_id,
            Acting(invitation.person_id, organisation.id),
        )


def service(session: AsyncSession, now: datetime = NOW) -> UsageService:
    return UsageService(session, lambda: now)


async def test_keys_are_named_and_totalled_over_7_days_and_idle_stopped_keys_left_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await employer(sessions, "Acme", "viewer@acme.example")
    other = await employer(sessions, "Other", "viewer@other.example")
    owner = f"employer:{acme.public_id}"
    site = await builders.issue_key(sessions, SECRET, owner, name="Website")
    tests = await builders.issue_key(sessions, SECRET, owner, "display-advert-sandbox", "Tests")
    gone = await builders.issue_key(sessions, SECRET, owner, "recruitment", name="Old")
    unused = await builders.issue_key(sessions, SECRET, owner, "recruitment-sandbox", "Spare")
    theirs = await builders.issue_key(sessions, SECRET, f"employer:{other.public_id}")
    await builders.revoke_key(sessions, SECRET, gone.key_id)
    await builders.revoke_key(sessions, SECRET, unused.key_id)
    recorder = UsageRecorder(sessions, interval=60)
    for key_id, moment, status, times in [
        (site.key_id, H - timedelta(hours=167), 200, 2),  # the chart's first hour
        (site.key_id, H - timedelta(hours=168), 200, 9),  # before it
        (site.key_id, H, 429, 3),
        (tests.key_id, H - timedelta(hours=2), 400, 1),
        (gone.key_id, H - timedelta(hours=30), 500, 4),
        (theirs.key_id, H, 200, 6),
    ]:
        for _ in range(times):
            recorder.record(key_id, moment.timestamp(), status)
    await recorder.flush()

    async with sessions() as session:
        usage = await service(session).organisation_usage(acme.acting)
    listed = {k.key_id: (k.name, k.product_id, k.environment, k.requests, k.rate_limited)
              for k in usage.keys}  # fmt: skip
    assert listed == {
        site.key_id: ("Website", "display-advert", "live", 5, 3),
        tests.key_id: ("Tests", "display-advert", "sandbox", 1, 0),
        gone.key_id: ("Old", "recruitment", "live", 4, 0),
    }
    assert [k.key_id for k in usage.keys] == [site.key_id, tests.key_id, gone.key_id]
    assert usage.chart.mix == StatusMix(success=2, client_error=1, rate_limited=3, server_error=4)

    async with sessions() as session:
        one = await service(session).key_usage(acme.acting, site.key_id)
        stopped = await service(session).key_usage(acme.acting, unused.key_id)
        for key_id in (theirs.key_id, "key_0000000000000000"):
            with pytest.raises(NotFound):
                await service(session).key_usage(acme.acting, key_id)
        with pytest.raises(NotFound):
            await service(session).key_usage(other.acting, site.key_id)
    assert (one.key.name, one.chart.requests, one.chart.rate_limited) == ("Website", 5, 3)
    assert one.chart.hours[0].mix == StatusMix(success=2)
    assert one.chart.hours[-1].mix == StatusMix(rate_limited=3)
    # A deleted key's own page still answers (its past requests are the organisation's).
    assert (stopped.key.name, stopped.chart.requests) == ("Spare", 0)


async def test_people_who_may_no_longer_act_for_the_organisation_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acme = await employer(sessions, "Acme", "viewer@acme.example")
    other = await employer(sessions, "Other", "viewer@other.example")
    site = await builders.issue_key(sessions, SECRET, f"employer:{acme.public_id}")
    stranger = Acting(other.acting.person_id, acme.id)  # a person of another organisation
    async with sessions() as session:
        with pytest.raises(Forbidden):
            await service(session).organisation_usage(stranger)
        with pytest.raises(Forbidden):
            await service(session).key_usage(stranger, site.key_id)
