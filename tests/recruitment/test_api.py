"""POST /managevacancies/vacancy/{id} and the Recruitment API's other routes, through the
gateway, on SQLite and PostgreSQL: what is stored, who may create what, idempotency,
the sandbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from apprenticeships.recruitment import messages as m
from apprenticeships.referencedata.lists import CANDIDATE_SKILLS, QUALIFICATION_TYPES
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import (
    Counter,
    Organisation,
    Standard,
    Vacancy,
    VacancyAddress,
)
from apprenticeships.vacancies.repository import REFERENCE_COUNTER, VacancyRepository
from tests.recruitment.bodies import changed, today, valid_body
from tests.recruitment.conftest import Recruiting
from tests.support.aspnet import trace_id_for


async def stored(world: Recruiting) -> list[Vacancy]:
    async with world.platform.sessions() as session:
        return list(
            await session.scalars(
                select(Vacancy).where(Vacancy.client_id.is_not(None)).order_by(Vacancy.id)
            )
        )


async def addresses_of(world: Recruiting, vacancy_id: int) -> list[VacancyAddress]:
    async with world.platform.sessions() as session:
        return list(
            await session.scalars(
                select(VacancyAddress)
                .where(VacancyAddress.vacancy_id == vacancy_id)
                .order_by(VacancyAddress.position)
            )
        )


async def organisation_id(world: Recruiting, kind: str, public_id: str) -> int:
    async with world.platform.sessions() as session:
        found = await session.scalar(
            select(Organisation.id).where(
                Organisation.kind == kind, Organisation.public_id == public_id
            )
        )
        assert found is not None
        return found


def assert_problem(response: Any, status: int, errors: dict[str, list[str]] | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["traceId"] == trace_id_for(response.headers["x-request-id"])
    if errors is not None:
        assert body["title"] == "One or more validation errors occurred."
        assert body["errors"] == errors


async def test_an_employer_creates_an_advert_that_waits_for_review(recruiting: Recruiting) -> None:
    client_id = str(uuid.uuid4())
    response = await recruiting.post(valid_body(recruiting.legal_entity), client_id=client_id)
    assert response.status_code == 201, response.text
    reference = response.json()["vacancyReference"]
    assert response.json() == {"vacancyReference": reference}
    assert reference.isdigit() and int(reference) > 1_000_000_000

    (vacancy,) = await stored(recruiting)
    assert vacancy.reference == int(reference)
    assert vacancy.client_id == client_id
    assert vacancy.environment == "live"
    assert vacancy.status == "Submitted"
    assert vacancy.owner_kind == "employer"
    assert vacancy.posted_at is None
    assert vacancy.employer_id == await organisation_id(recruiting, "employer", recruiting.employer)
    assert vacancy.provider_id == await organisation_id(recruiting, "provider", recruiting.provider)
    assert vacancy.employer_name == "Acme Engineering Ltd"  # the legal entity's registered name
    assert vacancy.title == "Apprentice Software Developer"
    assert vacancy.closing_date == today() + timedelta(days=14)
    assert vacancy.start_date == today() + timedelta(days=60)
    assert (vacancy.wage_type, vacancy.wage_amount, vacancy.wage_unit) == (
        "Custom",
        Decimal("25000.00"),
        "Annually",
    )
    assert vacancy.hours_per_week == Decimal("37.5")
    assert (vacancy.duration, vacancy.duration_unit) == (18, "Month")
    assert vacancy.company_benefits_information == (
        "<ul><li>25 days holiday</li><li>Pension</li></ul>"
    )
    assert vacancy.skills == ["IT skills", "Team working"]
    assert vacancy.qualifications[0]["subject"] == "Maths"
    assert vacancy.additional_question_1 == "Why do you want this job?"
    assert (vacancy.submitter_name, vacancy.submitter_email, vacancy.submitter_phone) == (
        "Sam Jones",
        "sam@acme.example.com",
        "0113 496 0000",
    )
    # The submitter is not published as the employer's contact.
    assert vacancy.employer_contact_email is None
    (address,) = await addresses_of(recruiting, vacancy.id)
    assert (address.line1, address.line4, address.postcode) == ("1 Park Row", "Leeds", "LS1 5AB")
    assert address.latitude == pytest.approx(53.7974, abs=0.01)
    assert address.longitude == pytest.approx(-1.5531, abs=0.01)

    # Not in the Display advert API until it is approved.
    detail = await recruiting.get(f"/vacancies/vacancy/{reference}", key="display", version="2")
    assert detail.status_code == 404
    search = await recruiting.get("/vacancies/vacancy", key="display", version="2")
    assert search.json()["total"] == 0


async def test_a_provider_with_permission_creates_adverts_for_itself(
    recruiting: Recruiting,
) -> None:
    body = valid_body(recruiting.legal_entity, ukprn=None)
    response = await recruiting.post(body, key="provider")
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.owner_kind == "provider"
    assert vacancy.status == "Submitted"
    assert vacancy.provider_id == await organisation_id(recruiting, "provider", recruiting.provider)
    assert vacancy.employer_id == await organisation_id(recruiting, "employer", recruiting.employer)

    # Naming another provider in the body does not make the advert theirs.
    other = changed(body, "contractingParties.ukprn", int(recruiting.stranger_provider))
    response = await recruiting.post(other, key="provider")
    assert_problem(response, 400, {"ContractingParties.Ukprn": [m.UKPRN_NOT_CALLER]})
    assert len(await stored(recruiting)) == 1


async def test_a_provider_that_needs_the_employers_review_creates_adverts_in_review(
    recruiting: Recruiting,
) -> None:
    response = await recruiting.post(
        valid_body(recruiting.legal_entity, ukprn=None), key="reviewed_provider"
    )
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.status == "Review"


async def test_a_provider_without_permission_gets_403_and_nothing_is_stored(
    recruiting: Recruiting,
) -> None:
    response = await recruiting.post(
        valid_body(recruiting.legal_entity, ukprn=None), key="stranger_provider"
    )
    assert_problem(response, 403)
    assert response.json()["title"] == "Forbidden"
    assert "detail" not in response.json()  # the real StatusCodeResult(403) says no more
    assert await stored(recruiting) == []


async def test_R6_an_employer_cannot_create_for_another_employers_legal_entity(
    recruiting: Recruiting,
) -> None:
    body = valid_body(recruiting.other_legal_entity)
    response = await recruiting.post(body, key="employer")
    assert_problem(response, 403)
    # An unknown legal entity looks the same: nobody learns which ones exist.
    unknown = await recruiting.post(valid_body("ZZZZ99"), key="employer")
    assert_problem(unknown, 403)
    assert unknown.json().keys() == response.json().keys() == {"type", "title", "status", "traceId"}
    # And the 403 comes before any field errors, so they reveal nothing either.
    broken = changed(body, "title", "")
    assert_problem(await recruiting.post(broken, key="employer"), 403)
    assert await stored(recruiting) == []


async def test_fields_that_try_to_set_the_owner_or_state_are_ignored(
    recruiting: Recruiting,
) -> None:
    body = valid_body(recruiting.legal_entity)
    body |= {
        "status": "Live",
        "vacancyReference": "1000000005",
        "ownerType": "Provider",
        "employerAccountId": recruiting.other_employer,
        "accountPublicHashedId": recruiting.other_employer,
        "ukprn": int(recruiting.stranger_provider),
        "postedDate": "2020-01-01T00:00:00Z",
        "id": str(uuid.uuid4()),
    }
    response = await recruiting.post(body, key="employer")
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.status == "Submitted"
    assert vacancy.owner_kind == "employer"
    assert vacancy.posted_at is None
    assert vacancy.reference == int(response.json()["vacancyReference"]) != 1000000005
    assert vacancy.employer_id == await organisation_id(recruiting, "employer", recruiting.employer)
    assert vacancy.provider_id == await organisation_id(recruiting, "provider", recruiting.provider)


async def test_an_unknown_training_provider_is_404(recruiting: Recruiting) -> None:
    response = await recruiting.post(valid_body(recruiting.legal_entity, ukprn=10009999))
    assert_problem(response, 404)
    assert response.json()["detail"] == m.UKPRN_NOT_VALID
    assert await stored(recruiting) == []


async def test_R5_a_reused_client_id_is_already_submitted_under_Id_once_the_advert_is_valid(
    recruiting: Recruiting,
) -> None:
    client_id = str(uuid.uuid4())
    first = await recruiting.post(valid_body(recruiting.legal_entity), client_id=client_id)
    assert first.status_code == 201
    again = await recruiting.post(valid_body(recruiting.legal_entity), client_id=client_id.upper())
    assert_problem(again, 400, {"Id": [m.ALREADY_SUBMITTED]})
    assert again.json()["type"] == "https://tools.ietf.org/html/rfc9110#section-15.5.1"
    # As in the Recruit API, the id is looked at only once the advert passes every rule.
    broken = changed(valid_body(recruiting.legal_entity), "title", "Software developer")
    response = await recruiting.post(broken, client_id=client_id)
    assert_problem(response, 400, {"Title": [m.TITLE_NEEDS_APPRENTICE]})
    unknown_provider = valid_body(recruiting.legal_entity, ukprn=10009999)
    assert_problem(await recruiting.post(unknown_provider, client_id=client_id), 404)
    assert len(await stored(recruiting)) == 1


async def test_twenty_concurrent_posts_with_one_id_create_exactly_one_advert(
    recruiting: Recruiting,
) -> None:
    client_id = str(uuid.uuid4())
    body = valid_body(recruiting.legal_entity)
    responses = await asyncio.gather(
        *(recruiting.post(body, client_id=client_id) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * 19, [r.text for r in responses if r.status_code >= 500]
    for response in responses:
        if response.status_code == 400:
            assert response.json()["errors"] == {"Id": [m.ALREADY_SUBMITTED]}
    (vacancy,) = await stored(recruiting)
    created = next(r for r in responses if r.status_code == 201)
    assert str(vacancy.reference) == created.json()["vacancyReference"]


async def last_reference(world: Recruiting) -> int:
    async with world.platform.sessions() as session:
        value = await session.scalar(select(Counter.value).where(Counter.name == REFERENCE_COUNTER))
        assert value is not None
        return int(value)


async def test_a_creation_that_fails_after_writing_leaves_nothing_behind(
    recruiting: Recruiting, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await last_reference(recruiting)
    add = VacancyRepository.add

    async def add_then_fail(self: VacancyRepository, vacancy: Vacancy) -> Vacancy:
        await add(self, vacancy)  # the counter, the advert and its addresses are written
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(VacancyRepository, "add", add_then_fail)
    response = await recruiting.post(valid_body(recruiting.legal_entity))
    assert response.status_code == 500
    assert await stored(recruiting) == []
    async with recruiting.platform.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(VacancyAddress)) == 0
    assert await last_reference(recruiting) == before


async def test_an_id_used_between_the_check_and_the_write_is_already_submitted(
    recruiting: Recruiting, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = str(uuid.uuid4())
    body = valid_body(recruiting.legal_entity)
    first = await recruiting.post(body, client_id=client_id)
    assert first.status_code == 201, first.text

    async def not_taken(self: VacancyRepository, client_id: str) -> bool:
        return False  # as a request that checked before the first one committed saw it

    with monkeypatch.context() as patched:
        patched.setattr(VacancyRepository, "client_id_taken", not_taken)
        again = await recruiting.post(body, client_id=client_id)
    assert_problem(again, 400, {"Id": [m.ALREADY_SUBMITTED]})
    assert len(await stored(recruiting)) == 1
    # Its reference went back with the rest of its transaction.
    following = await recruiting.post(body)
    assert following.status_code == 201, following.text
    assert int(following.json()["vacancyReference"]) == int(first.json()["vacancyReference"]) + 1


async def test_concurrent_posts_with_different_ids_get_different_references(
    recruiting: Recruiting,
) -> None:
    body = valid_body(recruiting.legal_entity)
    responses = await asyncio.gather(*(recruiting.post(body) for _ in range(10)))
    assert [r.status_code for r in responses] == [201] * 10
    references = {r.json()["vacancyReference"] for r in responses}
    assert len(references) == 10
    assert {str(v.reference) for v in await stored(recruiting)} == references


async def test_postcodes_outside_england_are_refused(recruiting: Recruiting) -> None:
    body = changed(valid_body(recruiting.legal_entity), "address", ...)
    body["multipleAddresses"] = [
        {"addressLine1": "1 Park Row", "postcode": "LS1 5AB"},
        {"addressLine1": "1 Princes Street", "postcode": "EH1 1AA"},
        {"addressLine1": "1 Queen Street", "postcode": "CF10 1AA"},
        {"addressLine1": "1 Donegall Place", "postcode": "BT1 1AA"},
    ]
    response = await recruiting.post(body)
    assert_problem(
        response,
        400,
        {
            "MultipleAddresses[1].Postcode": [m.POSTCODE_NOT_IN_ENGLAND],
            "MultipleAddresses[2].Postcode": [m.POSTCODE_NOT_IN_ENGLAND],
            "MultipleAddresses[3].Postcode": [m.POSTCODE_NOT_IN_ENGLAND],
        },
    )
    body["multipleAddresses"] = body["multipleAddresses"][:1] + [
        {"addressLine1": "2 Broad Street", "postcode": "b1 2jp"}
    ]
    response = await recruiting.post(body)
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert [a.postcode for a in await addresses_of(recruiting, vacancy.id)] == [
        "LS1 5AB",
        "B1 2JP",
    ]


async def _add_standard(
    world: Recruiting,
    lars_code: int,
    *,
    active: bool = True,
    foundation: bool = False,
    last: date | None = None,
) -> None:
    async with unit_of_work(world.platform.sessions) as session:
        session.add(
            Standard(
                lars_code=lars_code,
                ifate_reference=("FA" if foundation else "ST") + f"{lars_code:04d}",
                title="Test standard",
                level=2,
                route_id=1,
                apprenticeship_type="FoundationApprenticeship" if foundation else "Apprenticeship",
                status="Approved for delivery" if active else "Retired",
                is_active=active,
                last_date_starts=last,
            )
        )


async def test_the_standard_must_be_active_and_open_for_starts(recruiting: Recruiting) -> None:
    await _add_standard(recruiting, 9001, active=False)
    start = today() + timedelta(days=60)
    await _add_standard(recruiting, 9002, last=start - timedelta(days=1))
    await _add_standard(recruiting, 9003, last=start)
    body = valid_body(recruiting.legal_entity)
    for code in (9001, 123456):
        response = await recruiting.post(changed(body, "standardLarsCode", code))
        assert_problem(response, 400, {"standardLarsCode": [m.STANDARD_INVALID]})
    response = await recruiting.post(changed(body, "standardLarsCode", "9002"))
    assert_problem(
        response, 400, {"StartDate": [m.standard_closed_for_starts(start - timedelta(days=1))]}
    )
    response = await recruiting.post(changed(body, "standardLarsCode", 9003))
    assert response.status_code == 201, response.text


async def test_a_foundation_apprenticeship_needs_no_skills_and_keeps_none(
    recruiting: Recruiting,
) -> None:
    await _add_standard(recruiting, 9010, foundation=True)
    body = changed(valid_body(recruiting.legal_entity), "skills", ...)
    response = await recruiting.post(body)
    assert_problem(response, 400, {"Skills": [m.SKILLS_REQUIRED]})
    response = await recruiting.post(
        changed(valid_body(recruiting.legal_entity), "standardLarsCode", 9010)
    )
    assert response.status_code == 201, response.text
    response = await recruiting.post(changed(body, "standardLarsCode", 9010))
    assert response.status_code == 201, response.text
    first, second = await stored(recruiting)
    assert first.skills == [] and first.qualifications == []
    assert second.skills == []


async def test_R2_a_body_breaking_every_rule_gets_every_error_in_one_response(
    recruiting: Recruiting,
) -> None:
    """R2 (kept): one problem with every error, where the real service would answer in up
    to three responses; each field's errors are those its first stage would give."""
    body: dict[str, Any] = {
        "title": "Software developer " + "x" * 90,
        "numberOfPositions": 0,
        "closingDate": f"{today() + timedelta(days=3)}T00:00:00Z",
        "startDate": f"{today() + timedelta(days=2)}T00:00:00Z",
        "contractingParties": {
            "accountLegalEntityPublicHashedId": recruiting.legal_entity,
            "ukprn": 123,
        },
        "wage": {
            "wageType": "FixedWage",
            "fixedWageYearlyAmount": -5,
            "weeklyHours": 50,
            "workingWeekDescription": "x" * 251,
            "duration": 6,
            "durationUnit": "Month",
            "wageAdditionalInformation": "x" * 501,
            "companyBenefitsInformation": "<b>Gym</b>",
        },
        "address": {"addressLine1": "x" * 101, "postcode": "EH1 1AA"},
        "recruitingNationally": True,
        "shortDescription": "Too short",
        "description": "<script>alert(1)</script>",
        "outcomeDescription": "<p>Unclosed",
        "trainingDescription": "x" * 4001,
        "thingsToConsider": "<li>loose</li>",
        "standardLarsCode": 999999,
        "employerNameOption": "Anonymous",
        "employerDescription": '<p onclick="x()">Hi</p>',
        "employerWebsiteUrl": "javascript:alert(1)",
        "disabilityConfident": "Maybe",
        "submitterContactDetails": {"name": "<Sam>", "email": "sam@", "phone": "12"},
        "skills": ["x" * 31],
        "qualifications": [{"qualificationType": "BTEC", "subject": "", "grade": "x" * 31}],
        "applicationMethod": "ThroughFindAnApprenticeship",
        "applicationUrl": "https://jobs.example.com",
        "additionalQuestion1": "No question mark",
    }
    raw = json.dumps(body)
    response = await recruiting.post(None, raw=raw.encode())
    assert_problem(response, 400)
    confident_end = raw.index('"disabilityConfident": "Maybe"') + len(
        '"disabilityConfident": "Maybe"'
    )
    assert response.json()["errors"] == {
        "Title": [m.max_length("Title", 100)],
        "NumberOfPositions": [m.POSITIONS_REQUIRED],
        "ClosingDate": [m.CLOSING_DATE_TOO_SOON],
        "StartDate": [m.START_DATE_BEFORE_CLOSING],
        "": [m.START_DATE_NOT_AFTER_CLOSING, m.LOCATION_ONE_ONLY],
        "ContractingParties.Ukprn": [m.UKPRN_FORMAT],
        "Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_MANY],
        "Wage.WageAdditionalInformation": [m.max_length("WageAdditionalInformation", 500)],
        "Wage.CompanyBenefitsInformation": ["Tag <b> is not allowed."],
        "Wage.WorkingWeekDescription": [m.max_length("WorkingWeekDescription", 250)],
        "Wage.Duration": [m.DURATION_TOO_SHORT],
        "Wage.FixedWageYearlyAmount": [m.FIXED_WAGE_FORMAT],
        "recruitingNationallyDetails": [m.NATIONAL_DETAILS_REQUIRED],
        "Address.AddressLine1": [m.address_line_too_long(1)],
        "ShortDescription": [m.SHORT_DESCRIPTION_TOO_SHORT],
        "Description": ["What the apprenticeship will do at work contains some invalid characters"],
        "OutcomeDescription": ["Malformed HTML: <p> is never closed."],
        "TrainingDescription": [m.max_length("TrainingDescription", 4000)],
        "ThingsToConsider": ["<li> must be inside <ul>."],
        "EmployerDescription": ["Information about the employer contains some invalid characters"],
        "alternativeEmployerName": [
            m.employer_name_required(False),
            m.ANONYMOUS_DESCRIPTION_REQUIRED,
        ],
        "AnonymousReason": [m.anonymous_reason_required(False)],
        "EmployerWebsiteUrl": [m.LINK_INVALID],
        "$.disabilityConfident": [
            m.not_converted(
                "SFA.DAS.VacanciesManage.Api.Models.CreateVacancyDisabilityConfident",
                "$.disabilityConfident",
                0,
                confident_end,
            )
        ],
        "Contact.Name": [m.CONTACT_NAME_INVALID],
        "Contact.Email": [m.EMAIL_INVALID],
        "Contact.Phone": [m.PHONE_TOO_SHORT, m.PHONE_INVALID],
        "Skills[0]": [m.SKILL_TOO_LONG],
        "Qualifications[0].Level": [m.QUALIFICATION_LEVEL_REQUIRED],
        "Qualifications[0].Subject": [m.QUALIFICATION_SUBJECT_REQUIRED],
        "Qualifications[0].Grade": [m.QUALIFICATION_GRADE_TOO_LONG],
        "ApplicationUrl": [m.APPLICATION_URL_NOT_ALLOWED],
        "AdditionalQuestion1": [m.QUESTION_MARK_REQUIRED],
        "standardLarsCode": [m.STANDARD_INVALID],
        "Address.Postcode": [m.POSTCODE_NOT_IN_ENGLAND],
    }
    assert await stored(recruiting) == []


@pytest.mark.parametrize(
    ("raw", "client_id", "errors"),
    [
        (b"{not json", None, {"$": [m.BODY_NOT_JSON]}),
        (b"\xff\xfe", None, {"$": [m.BODY_NOT_JSON]}),
        # Python converts integers of at most 4300 digits: this was a 500.
        (b'{"numberOfPositions": ' + b"1" * 5000 + b"}", None, {"$": [m.BODY_NOT_JSON]}),
        (b"[" * 100_000 + b"]" * 100_000, None, {"$": [m.BODY_NOT_JSON]}),
        (b'{"title": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", None, {"$": [m.BODY_NOT_JSON]}),
        (b"{}", "not-a-guid", {"id": [m.ID_INVALID]}),
    ],
)
async def test_unreadable_requests_get_a_clear_400(
    recruiting_sqlite: Recruiting, raw: bytes, client_id: str | None, errors: dict[str, list[str]]
) -> None:
    response = await recruiting_sqlite.post(None, raw=raw, client_id=client_id)
    assert_problem(response, 400, errors)


async def test_the_sandbox_validates_like_live_and_stores_nothing(recruiting: Recruiting) -> None:
    body = valid_body(recruiting.legal_entity)
    response = await recruiting.post(body, key="employer_sandbox")
    assert response.status_code == 201, response.text
    assert response.json() == {"vacancyReference": "1000000001"}
    again = await recruiting.post(body, key="employer_sandbox")
    assert again.json() == {"vacancyReference": "1000000001"}

    broken = changed(body, "wage.weeklyHours", 10)
    live = await recruiting.post(broken, key="employer")
    sandbox = await recruiting.post(broken, key="employer_sandbox")
    assert sandbox.status_code == live.status_code == 400
    assert sandbox.json()["errors"] == live.json()["errors"]
    forbidden = await recruiting.post(
        valid_body(recruiting.other_legal_entity), key="employer_sandbox"
    )
    assert_problem(forbidden, 403)
    async with recruiting.platform.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vacancy)) == 0


async def test_R5_the_sandbox_answers_the_zero_id_as_already_submitted_after_validation(
    recruiting_sqlite: Recruiting,
) -> None:
    world = recruiting_sqlite
    zero = "00000000-0000-0000-0000-000000000000"
    body = valid_body(world.legal_entity, ukprn=None)
    duplicate = await world.post(body, key="provider_sandbox", client_id=zero)
    assert duplicate.status_code == 400, duplicate.text
    assert duplicate.headers["content-type"] == "application/json; charset=utf-8"
    assert (
        duplicate.content == b'{"errors": ["Unable to create Vacancy. Vacancy already submitted"]}'
    )
    # An advert that breaks a rule gets its validation problem first, as in the real
    # sandbox.
    broken = await world.post({}, key="provider_sandbox", client_id=zero)
    assert_problem(broken, 400)
    assert "Title" in broken.json()["errors"]
    # In live it is an ordinary id.
    live = await world.post(valid_body(world.legal_entity), client_id=zero)
    assert live.status_code == 201, live.text


async def test_the_sandbox_has_a_canned_429_once_the_advert_is_valid(
    recruiting_sqlite: Recruiting,
) -> None:
    """As the real sandbox: the id 1111… gets a 429, after the advert is checked (a
    broken one gets its errors first)."""
    world = recruiting_sqlite
    many = "11111111-1111-1111-1111-111111111111"
    broken = await world.post({}, key="provider_sandbox", client_id=many)
    assert_problem(broken, 400)
    assert "Title" in broken.json()["errors"]
    limited = await world.post(
        valid_body(world.legal_entity), key="provider_sandbox", client_id=many
    )
    assert limited.status_code == 429
    assert limited.json() == {
        "statusCode": 429,
        "message": "Rate limit is exceeded. Try again in 60 seconds.",
    }
    assert limited.headers["retry-after"] == "60"
    # In live they are ordinary ids.
    live = await world.post(
        valid_body(world.legal_entity), client_id="11111111-1111-1111-1111-111111111111"
    )
    assert live.status_code == 201


async def test_reference_data_routes(recruiting: Recruiting) -> None:
    qualifications = await recruiting.get("/managevacancies/referencedata/qualifications")
    assert qualifications.status_code == 200
    assert qualifications.json() == {"qualifications": list(QUALIFICATION_TYPES)}
    skills = await recruiting.get("/managevacancies/referencedata/skills", key="provider")
    assert skills.json() == {"candidateSkills": list(CANDIDATE_SKILLS)}

    courses = (await recruiting.get("/managevacancies/referencedata/courses")).json()
    codes = [c["larsCode"] for c in courses["trainingCourses"]]
    assert len(codes) >= 100 and {2, 196, 225} <= set(codes)

    provider_id = await organisation_id(recruiting, "provider", recruiting.provider)
    async with unit_of_work(recruiting.platform.sessions) as session:
        await ReferenceDataRepository(session).add_provider_courses(
            [(provider_id, 196), (provider_id, 2), (provider_id, 2)]
        )
    mine = await recruiting.get("/managevacancies/referencedata/courses", ukprn=recruiting.provider)
    assert [c["larsCode"] for c in mine.json()["trainingCourses"]] == [
        c for c in codes if c in (2, 196)
    ]
    assert mine.json()["trainingCourses"][0].keys() == courses["trainingCourses"][0].keys()
    none = await recruiting.get("/managevacancies/referencedata/courses", ukprn=10009999)
    assert none.json() == {"trainingCourses": []}
    bad = await recruiting.get("/managevacancies/referencedata/courses", ukprn="abc")
    assert_problem(bad, 400)
    assert list(bad.json()["errors"]) == ["ukprn"]


async def test_account_legal_entities_follow_the_key(recruiting: Recruiting) -> None:
    employer = await recruiting.get("/managevacancies/accountlegalentities")
    assert [
        e["accountLegalEntityPublicHashedId"] for e in employer.json()["accountLegalEntities"]
    ] == [recruiting.legal_entity]
    provider = await recruiting.get("/managevacancies/accountlegalentities", key="provider")
    assert [e["accountLegalEntityName"] for e in provider.json()["accountLegalEntities"]] == [
        "Acme Engineering Ltd"
    ]
    stranger = await recruiting.get(
        "/managevacancies/accountlegalentities", key="stranger_provider"
    )
    assert stranger.json() == {"accountLegalEntities": []}


async def test_R7_a_created_advert_has_no_location_header_and_the_document_none(
    recruiting: Recruiting,
) -> None:
    for key in ("employer", "employer_sandbox"):
        response = await recruiting.post(valid_body(recruiting.legal_entity), key=key)
        assert response.status_code == 201, response.text
        assert "location" not in response.headers
    document = (await recruiting.http.get("/docs/recruitment/v1/openapi.json")).json()
    created = document["paths"]["/managevacancies/vacancy/{id}"]["post"]["responses"]["201"]
    assert "Location" not in created.get("headers", {})


async def test_R4_enum_numbers_are_stored_as_the_values_the_real_enums_give_them(
    recruiting: Recruiting,
) -> None:
    body = valid_body(recruiting.legal_entity)
    for path, value in {
        "wage.wageType": 3,
        "wage.fixedWageYearlyAmount": ...,
        "wage.durationUnit": "1",
        "wage.duration": "2",
        "employerNameOption": 1,
        "alternativeEmployerName": "Acme Robotics",
        "disabilityConfident": 0,
        "qualifications.0.weighting": 1,
        "applicationMethod": 1,
        "applicationUrl": "https://jobs.acme.example/apply",
        "additionalQuestion1": ...,
    }.items():
        body = changed(body, path, value)
    response = await recruiting.post(body)
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.wage_type == "CompetitiveSalary"
    assert (vacancy.duration, vacancy.duration_unit) == (2, "Year")
    assert (vacancy.employer_name_option, vacancy.employer_name) == ("TradingName", "Acme Robotics")
    assert vacancy.is_disability_confident is False
    assert vacancy.qualifications[0]["weighting"] == "Desired"
    assert vacancy.application_method == "ThroughExternalApplicationSite"
    assert vacancy.application_url == "https://jobs.acme.example/apply"


async def test_R4_a_qualification_without_weighting_is_essential(recruiting: Recruiting) -> None:
    body = changed(valid_body(recruiting.legal_entity), "qualifications.0.weighting", ...)
    response = await recruiting.post(body)
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.qualifications[0]["weighting"] == "Essential"


async def test_R3_a_standard_lars_code_string_is_stored_as_its_code(recruiting: Recruiting) -> None:
    response = await recruiting.post(
        changed(valid_body(recruiting.legal_entity), "standardLarsCode", "196")
    )
    assert response.status_code == 201, response.text
    (vacancy,) = await stored(recruiting)
    assert vacancy.lars_code == 196
