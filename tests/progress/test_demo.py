"""The demo's apprenticeship records do what their manifest entries say, through the API,
with the real KSBs that ship with the platform."""

from __future__ import annotations

import pytest

from apprenticeships.demo.service import seed
from apprenticeships.progress import service as rules
from apprenticeships.storage.engine import unit_of_work
from tests import builders
from tests.conftest import PlatformFactory, client_for

EXPECTED = {
    "a portable flexi-job apprenticeship: progress is recorded": (201, None),
    "a portable flexi-job apprenticeship with an option: only core and that option's KSBs": (
        201,
        None,
    ),
    "a regular apprenticeship: 400 'Must be a portable flexi-job'": (400, rules.PORTABLE_ONLY),
    "waiting to start: 400 about the apprentice status": (400, rules.STATUS),
    "a standard with options but none set: 400 'requires an option'": (
        400,
        rules.OPTION_REQUIRED,
    ),
    "two records in one month: 400 'Multiple apprenticeship records exist'": (
        400,
        rules.MULTIPLE,
    ),
    "stopped on its start day (no delivery): 400 about the apprentice status": (
        400,
        rules.STATUS,
    ),
    "another provider's apprentice: 404 for Northmere College's key": (404, None),
}


@pytest.mark.parametrize("environment", ["live", "sandbox"])
async def test_each_demo_record_answers_as_its_case_says(
    platform_factory: PlatformFactory, environment: str
) -> None:
    async with platform_factory(rate_limit="1000000/300") as platform, client_for(platform) as http:
        async with unit_of_work(platform.sessions) as session:
            manifest = await seed(session, builders.now(), vacancies=0)
        product = "track-progress" + ("-sandbox" if environment == "sandbox" else "")
        key = (
            await builders.issue_key(
                platform.sessions, platform.secret_key, "provider:10000001", product
            )
        ).secret
        prefix = "/sandbox" if environment == "sandbox" else ""
        assert {r["case"] for r in manifest["apprenticeships"]} == set(EXPECTED)
        for record in manifest["apprenticeships"]:
            body = {"progress": {"ksbs": [{"id": k, "value": 50} for k in record["ksbIds"]]}}
            response = await http.post(
                f"{prefix}/trackprogress/apprenticeships/{record['uln']}/"
                f"{record['plannedStartDate']}/progress",
                json=body,
                headers={"Ocp-Apim-Subscription-Key": key, "X-Version": "1"},
            )
            status, message = EXPECTED[record["case"]]
            assert response.status_code == status, (record["case"], response.text)
            if message is not None:
                answer = response.json()
                descriptions = [e["description"] for e in answer["errors"]]
                assert message == answer["title"] or descriptions == [message], (
                    record["case"],
                    answer,
                )
            if status == 201 and environment == "sandbox":
                assert response.json() == {"progressId": 999}
