"""Every rule of a new advert that needs only the body: valid at its boundary, invalid one
step past it, with the message under the JSON path the client used."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.reader import Problems, as_utc_date
from apprenticeships.recruitment.validation import (
    AdvertDraft,
    is_absolute_web_url,
    lowest_fixed_wage,
    minimum_duration_months,
    read_advert,
)
from tests.recruitment.bodies import changed, today, valid_body


def read(body: dict[str, Any], *, ukprn_required: bool = True) -> tuple[AdvertDraft, Problems]:
    problems = Problems()
    draft = read_advert(body, today(), problems, ukprn_required=ukprn_required)
    return draft, problems


def day(offset: int) -> str:
    return f"{today() + timedelta(days=offset)}T00:00:00Z"


def test_a_valid_advert_reads_without_problems() -> None:
    draft, problems = read(valid_body("XYZ789"))
    assert problems.errors == {}
    assert draft.title == "Apprentice Software Developer"
    assert draft.legal_entity_public_hashed_id == "XYZ789"
    assert draft.ukprn == 10000001
    assert draft.closing_date == today() + timedelta(days=14)
    assert draft.wage_type == "FixedWage"
    assert draft.fixed_wage_yearly_amount == Decimal(25000)
    assert draft.weekly_hours == Decimal("37.5")
    assert [(a.line1, a.line4, a.postcode) for a in draft.addresses] == [
        ("1 Park Row", "Leeds", "LS1 5AB")
    ]
    assert draft.company_benefits_information == "<ul><li>25 days holiday</li><li>Pension</li></ul>"
    assert draft.skills == ["IT skills", "Team working"]
    assert draft.qualifications == [
        {
            "qualificationType": "GCSE",
            "subject": "Maths",
            "grade": "4 (C) or above",
            "weighting": "Essential",
        }
    ]
    assert draft.additional_question_1 == "Why do you want this job?"
    assert draft.disability_confident is True


def test_property_names_match_in_any_case_and_errors_use_the_clients_spelling() -> None:
    body = valid_body()
    body["TITLE"] = body.pop("title")
    body["Wage"] = body.pop("wage")
    body["Wage"]["WeeklyHours"] = body["Wage"].pop("weeklyHours")
    draft, problems = read(body)
    assert problems.errors == {}
    assert draft.title == "Apprentice Software Developer"
    body["Wage"]["WeeklyHours"] = 15
    _, problems = read(body)
    assert problems.errors == {"Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_FEW]}


def test_numbers_may_be_sent_as_strings_and_enums_in_any_case() -> None:
    body = changed(valid_body(), "numberOfPositions", "3")
    body = changed(body, "wage.wageType", "fixedwage")
    body = changed(body, "wage.weeklyHours", "30.5")
    draft, problems = read(body)
    assert problems.errors == {}
    assert draft.number_of_positions == 3
    assert draft.wage_type == "FixedWage"
    assert draft.weekly_hours == Decimal("30.5")


def _lowest(hours: str) -> Decimal:
    return lowest_fixed_wage(today() + timedelta(days=60), Decimal(hours))


# (path, valid value at the boundary, invalid value one past it, error path, message)
BOUNDARIES: list[tuple[str, Any, Any, str, str]] = [
    ("title", "Apprentice " + "x" * 89, "Apprentice " + "x" * 90, "title", m.TITLE_TOO_LONG),
    ("title", "Software apprenticeship", "Apprentices wanted", "title", m.TITLE_NEEDS_APPRENTICE),
    ("title", "Apprentice (level 3)", "Apprentice <b>now</b>", "title", m.TITLE_INVALID),
    ("numberOfPositions", 1, 0, "numberOfPositions", m.POSITIONS_REQUIRED),
    ("closingDate", day(7), day(6), "closingDate", m.CLOSING_DATE_TOO_SOON),
    ("startDate", day(15), day(14), "startDate", m.START_DATE_NOT_AFTER_CLOSING),
    ("wage.weeklyHours", 16, 15.99, "wage.weeklyHours", m.WEEKLY_HOURS_TOO_FEW),
    ("wage.weeklyHours", 48, 48.01, "wage.weeklyHours", m.WEEKLY_HOURS_TOO_MANY),
    ("wage.weeklyHours", 37.25, 37.255, "wage.weeklyHours", m.WEEKLY_HOURS_DECIMALS),
    ("wage.duration", 8, 7, "wage.duration", m.DURATION_TOO_SHORT),
    (
        "wage.fixedWageYearlyAmount",
        str(_lowest("37.5")),
        str(_lowest("37.5") - Decimal("0.01")),
        "wage.fixedWageYearlyAmount",
        m.fixed_wage_below_minimum(_lowest("37.5")),
    ),
    (
        "wage.wageAdditionalInformation",
        "x" * 500,
        "x" * 501,
        "wage.wageAdditionalInformation",
        m.or_less("Information about pay", 500),
    ),
    (
        "wage.companyBenefitsInformation",
        "<p>" + "x" * 493 + "</p>",
        "<p>" + "x" * 494 + "</p>",
        "wage.companyBenefitsInformation",
        m.or_less("Company benefits", 500),
    ),
    (
        "wage.workingWeekDescription",
        "x" * 250,
        "x" * 251,
        "wage.workingWeekDescription",
        m.too_long("Details about the working week", 250),
    ),
    (
        "address.addressLine1",
        "x" * 100,
        "x" * 101,
        "address.addressLine1",
        m.not_more_than("Address line 1", 100),
    ),
    ("address.postcode", "LS1 5AB", "LS1 5A", "address.postcode", m.POSTCODE_INVALID),
    (
        "shortDescription",
        "x" * 50,
        "x" * 49,
        "shortDescription",
        m.SHORT_DESCRIPTION_TOO_SHORT,
    ),
    (
        "shortDescription",
        "x" * 350,
        "x" * 351,
        "shortDescription",
        m.too_long("Summary of the apprenticeship", 350),
    ),
    (
        "description",
        "x" * 4000,
        "x" * 4001,
        "description",
        m.too_long("What the apprentice will do at work", 4000),
    ),
    (
        "employerDescription",
        "x" * 4000,
        "x" * 4001,
        "employerDescription",
        m.too_long("Information about the employer", 4000),
    ),
    (
        "employerWebsiteUrl",
        "https://" + "a" * 84 + ".example",
        "https://" + "a" * 85 + ".example",
        "employerWebsiteUrl",
        m.WEBSITE_TOO_LONG,
    ),
    (
        "employerWebsiteUrl",
        "http://acme.example",
        "ftp://acme.example",
        "employerWebsiteUrl",
        m.WEBSITE_INVALID,
    ),
    (
        "employerWebsiteUrl",
        "https://acme.example/a?b=c",
        "javascript:alert(1)//acme.example",
        "employerWebsiteUrl",
        m.WEBSITE_INVALID,
    ),
    (
        "submitterContactDetails.email",
        "s@acme.example",
        "s@acme",
        "submitterContactDetails.email",
        m.EMAIL_INVALID,
    ),
    (
        "submitterContactDetails.email",
        "s@" + "a" * 90 + ".example",
        "s@" + "a" * 91 + ".example",
        "submitterContactDetails.email",
        m.EMAIL_TOO_LONG,
    ),
    (
        "submitterContactDetails.phone",
        "01234567",
        "0123456",
        "submitterContactDetails.phone",
        m.PHONE_TOO_SHORT,
    ),
    (
        "submitterContactDetails.phone",
        "+44 (113) 496-00",
        "+44 (113) 496-000",
        "submitterContactDetails.phone",
        m.PHONE_TOO_LONG,
    ),
    (
        "submitterContactDetails.phone",
        "0113 4960000",
        "0113 496000x",
        "submitterContactDetails.phone",
        m.PHONE_INVALID,
    ),
    ("skills", ["x" * 30], ["x" * 31], "skills[0]", m.SKILL_TOO_LONG),
    ("skills", ["Patience"], [" "], "skills[0]", m.SKILL_EMPTY),
    (
        "additionalQuestion1",
        "x" * 249 + "?",
        "x" * 250 + "?",
        "additionalQuestion1",
        m.question_too_long(1),
    ),
    (
        "additionalQuestion2",
        "Can you drive?",
        "Tell us about yourself",
        "additionalQuestion2",
        m.question_mark_required(2),
    ),
    ("contractingParties.ukprn", 10000000, 9999999, "contractingParties.ukprn", m.UKPRN_FORMAT),
]


@pytest.mark.parametrize(
    ("path", "valid", "invalid", "error_path", "message"),
    BOUNDARIES,
    ids=[f"{b[0]}:{b[4][:30]}" for b in BOUNDARIES],
)
def test_each_rule_holds_at_its_boundary(
    path: str, valid: Any, invalid: Any, error_path: str, message: str
) -> None:
    _, problems = read(changed(valid_body(), path, valid))
    assert problems.errors == {}
    _, problems = read(changed(valid_body(), path, invalid))
    assert problems.errors == {error_path: [message]}


@pytest.mark.parametrize(
    ("hours", "months"), [("16", 15), ("20", 12), ("25", 10), ("29.99", 9), ("30", 8), ("48", 8)]
)
def test_part_time_apprenticeships_last_proportionally_longer(hours: str, months: int) -> None:
    assert minimum_duration_months(Decimal(hours)) == months
    body = changed(valid_body(), "wage.weeklyHours", hours)
    body = changed(body, "wage.fixedWageYearlyAmount", "40000")
    _, problems = read(changed(body, "wage.duration", months))
    assert problems.errors == {}
    _, problems = read(changed(body, "wage.duration", months - 1))
    expected = m.DURATION_TOO_SHORT if months - 1 < 8 else m.duration_too_short_for_hours(months)
    assert problems.errors == {"wage.duration": [expected]}


def test_a_duration_in_years_counts_twelve_months_each() -> None:
    body = changed(valid_body(), "wage.durationUnit", "Year")
    body = changed(body, "wage.duration", 1)
    _, problems = read(body)
    assert problems.errors == {}
    body = changed(body, "wage.weeklyHours", 16)  # needs 15 months
    body = changed(body, "wage.fixedWageYearlyAmount", "40000")
    _, problems = read(body)
    assert problems.errors == {"wage.duration": [m.duration_too_short_for_hours(15)]}
    _, problems = read(changed(body, "wage.duration", 2))
    assert problems.errors == {}


def test_the_minimum_wage_is_the_rate_in_force_on_the_start_date() -> None:
    # 2025-04-01: £7.55 an hour; 2026-04-01: £8.00.
    assert lowest_fixed_wage(date(2026, 3, 31), Decimal(30)) == Decimal("11778.00")
    assert lowest_fixed_wage(date(2026, 4, 1), Decimal(30)) == Decimal("12480.00")
    assert m.fixed_wage_below_minimum(Decimal("12480.00")) == "Yearly wage must be at least £12,480"
    assert m.fixed_wage_below_minimum(Decimal("11778.50")) == (
        "Yearly wage must be at least £11,778.50"
    )


def test_a_fixed_wage_is_required_for_fixed_wage_and_refused_for_the_others() -> None:
    _, problems = read(changed(valid_body(), "wage.fixedWageYearlyAmount", ...))
    assert problems.errors == {"wage.fixedWageYearlyAmount": [m.FIXED_WAGE_REQUIRED]}
    body = changed(valid_body(), "wage.wageType", "NationalMinimumWageForApprentices")
    _, problems = read(body)
    assert problems.errors == {"wage.fixedWageYearlyAmount": [m.FIXED_WAGE_NOT_ALLOWED]}
    draft, problems = read(changed(body, "wage.fixedWageYearlyAmount", ...))
    assert problems.errors == {}
    assert draft.wage_type == "NationalMinimumWageForApprentices"
    assert draft.fixed_wage_yearly_amount is None


def test_exactly_one_way_of_saying_where_the_job_is() -> None:
    body = changed(valid_body(), "address", ...)
    _, problems = read(body)
    assert problems.errors == {"address": [m.LOCATION_REQUIRED]}

    national = changed(body, "recruitingNationally", True)
    _, problems = read(national)
    assert problems.errors == {"recruitingNationallyDetails": [m.NATIONAL_DETAILS_REQUIRED]}
    draft, problems = read(changed(national, "recruitingNationallyDetails", "<p>Anywhere.</p>"))
    assert problems.errors == {}
    assert draft.recruiting_nationally and draft.addresses == []

    both = changed(valid_body(), "recruitingNationally", True)
    both = changed(both, "recruitingNationallyDetails", "<p>Anywhere.</p>")
    _, problems = read(both)
    assert problems.errors == {"recruitingNationally": [m.LOCATION_ONE_ONLY]}


@pytest.mark.parametrize(("count", "ok"), [(1, False), (2, True), (10, True), (11, False)])
def test_multiple_addresses_hold_two_to_ten(count: int, ok: bool) -> None:
    addresses = [{"addressLine1": f"{n} High Street", "postcode": "LS1 5AB"} for n in range(count)]
    body = changed(changed(valid_body(), "address", ...), "multipleAddresses", addresses)
    draft, problems = read(body)
    if ok:
        assert problems.errors == {}
        assert len(draft.addresses) == count
    else:
        assert problems.errors == {"multipleAddresses": [m.MULTIPLE_ADDRESSES_COUNT]}


def test_address_errors_name_the_address_in_the_list() -> None:
    addresses = [
        {"addressLine1": "1 High Street", "postcode": "LS1 5AB"},
        {"addressLine1": "", "postcode": "nowhere"},
    ]
    body = changed(changed(valid_body(), "address", ...), "multipleAddresses", addresses)
    _, problems = read(body)
    assert problems.errors == {
        "multipleAddresses[1].addressLine1": [m.ADDRESS_LINE1_REQUIRED],
        "multipleAddresses[1].postcode": [m.POSTCODE_INVALID],
    }


def test_employer_name_options_need_their_names() -> None:
    trading = changed(valid_body(), "employerNameOption", "TradingName")
    _, problems = read(trading)
    assert problems.errors == {"alternativeEmployerName": [m.TRADING_NAME_REQUIRED]}
    draft, problems = read(changed(trading, "alternativeEmployerName", "Acme Robotics"))
    assert problems.errors == {}
    assert draft.alternative_employer_name == "Acme Robotics"

    anonymous = changed(valid_body(), "employerNameOption", "Anonymous")
    _, problems = read(anonymous)
    assert problems.errors == {
        "alternativeEmployerName": [m.ANONYMOUS_DESCRIPTION_REQUIRED],
        "anonymousReason": [m.ANONYMOUS_REASON_REQUIRED],
    }
    anonymous = changed(anonymous, "alternativeEmployerName", "A national software company")
    _, problems = read(changed(anonymous, "anonymousReason", "x" * 201))
    assert problems.errors == {"anonymousReason": [m.not_more_than("The reason", 200)]}
    draft, problems = read(changed(anonymous, "anonymousReason", "x" * 200))
    assert problems.errors == {}


def test_qualification_rules() -> None:
    base = valid_body()["qualifications"][0]

    def qualification_problems(**fields: Any) -> dict[str, list[str]]:
        item = {**base, **fields}
        return read(changed(valid_body(), "qualifications", [item]))[1].errors

    assert qualification_problems(qualificationType="BTEC", level=None) == {
        "qualifications[0].level": [m.QUALIFICATION_LEVEL_REQUIRED]
    }
    assert qualification_problems(qualificationType="BTEC", level=3) == {}
    assert qualification_problems(level=7) == {}
    assert qualification_problems(level=8) == {
        "qualifications[0].level": [m.QUALIFICATION_LEVEL_RANGE]
    }
    assert qualification_problems(qualificationType="NVQ") == {
        "qualifications[0].qualificationType": [m.QUALIFICATION_TYPE_INVALID]
    }
    assert qualification_problems(qualificationType="Other") == {
        "qualifications[0].otherQualificationName": [m.OTHER_QUALIFICATION_REQUIRED]
    }
    assert qualification_problems(qualificationType="Other", otherQualificationName="NVQ") == {}
    assert qualification_problems(subject="x" * 50, grade="x" * 30) == {}
    assert qualification_problems(subject="x" * 51, grade="x" * 31, weighting="Maybe") == {
        "qualifications[0].subject": [m.QUALIFICATION_SUBJECT_TOO_LONG],
        "qualifications[0].grade": [m.QUALIFICATION_GRADE_TOO_LONG],
        "qualifications[0].weighting": [
            "'qualifications[0].weighting' must be one of: Essential, Desired."
        ],
    }


def test_application_method_rules() -> None:
    external = changed(valid_body(), "applicationMethod", "ThroughExternalApplicationSite")
    external = changed(external, "additionalQuestion1", ...)
    _, problems = read(external)
    assert problems.errors == {"applicationUrl": [m.APPLICATION_URL_REQUIRED]}
    external = changed(external, "applicationUrl", "https://jobs.acme.example/apply?id=7")
    draft, problems = read(changed(external, "applicationInstructions", "x" * 500))
    assert problems.errors == {}
    assert draft.application_url == "https://jobs.acme.example/apply?id=7"
    _, problems = read(changed(external, "applicationInstructions", "x" * 501))
    assert problems.errors == {"applicationInstructions": [m.too_long("How to apply", 500)]}
    _, problems = read(changed(external, "applicationUrl", "https://" + "a" * 1990 + ".example"))
    assert problems.errors == {"applicationUrl": [m.APPLICATION_URL_TOO_LONG]}
    _, problems = read(changed(external, "additionalQuestion1", "Why?"))
    assert problems.errors == {"additionalQuestion1": [m.QUESTION_NOT_ALLOWED]}

    faa = changed(valid_body(), "applicationUrl", "https://jobs.acme.example/apply")
    faa = changed(faa, "applicationInstructions", "Send a CV")
    _, problems = read(faa)
    assert problems.errors == {
        "applicationUrl": [m.APPLICATION_URL_NOT_ALLOWED],
        "applicationInstructions": [m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED],
    }


def test_a_providers_key_needs_no_ukprn_but_an_employers_does() -> None:
    body = changed(valid_body(), "contractingParties.ukprn", ...)
    _, problems = read(body)
    assert problems.errors == {"contractingParties.ukprn": [m.UKPRN_REQUIRED]}
    draft, problems = read(body, ukprn_required=False)
    assert problems.errors == {} and draft.ukprn is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<script> tags are not allowed."),
        ('<p onclick="steal()">Hi</p>', "Attribute onclick is not allowed on <p>."),
        ('<a href="javascript:alert(1)">Hi</a>', "Tag <a> is not allowed."),
        ("<p>Hi", "End tag </p> was not found."),
        ("<ul><p>Hi</p></ul>", "<ul> must only contain <li>."),
        ("<li>Hi</li>", "<li> must be inside <ul>."),
        ("<p>Hi</p><!-- x -->", "must not contain HTML comments"),
        ("<img src=x onerror=alert(1)>", "Tag <img> is not allowed."),
        ("<style>p{}</style>", "<style> tags are not allowed."),
    ],
)
def test_html_fields_reject_markup_beyond_p_br_ul_li(value: str, message: str) -> None:
    _, problems = read(changed(valid_body(), "description", value))
    assert list(problems.errors) == ["description"]
    (error,) = problems.errors["description"]
    assert error.startswith("What the apprentice will do at work ")
    assert message in error


def test_html_entities_stay_text_and_are_stored_escaped() -> None:
    tricky = "<p>&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62; Q&A &amp; R&D</p>"
    draft, problems = read(changed(valid_body(), "description", tricky))
    assert problems.errors == {}
    assert draft.description == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt; Q&amp;A &amp; R&amp;D</p>"
    )
    draft, _ = read(changed(valid_body(), "description", "<P>One<BR/>two</P >"))
    assert draft.description == "<p>One<br>two</p>"


@pytest.mark.parametrize(
    "value",
    [5, True, ["Apprentice"], {"text": "Apprentice"}],
    ids=["int", "bool", "list", "object"],
)
def test_a_value_of_the_wrong_type_is_an_error_not_a_crash(value: Any) -> None:
    _, problems = read(changed(valid_body(), "title", value))
    assert problems.errors == {"title": ["'title' must be a string."]}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("numberOfPositions", 2.5),
        ("numberOfPositions", 2**31),
        ("numberOfPositions", "ten"),
        ("numberOfPositions", True),
        ("wage.weeklyHours", "1e400"),
        ("wage.weeklyHours", float("inf")),
        ("closingDate", "2027-02-30"),
        ("closingDate", "tomorrow"),
        ("closingDate", "0001-01-01T00:00:00+01:00"),
        ("wage", "lots"),
        ("address", []),
        ("skills", "IT skills"),
        ("qualifications", [None]),
        ("recruitingNationally", "yes"),
    ],
)
def test_unreadable_values_are_reported_under_their_path(path: str, value: Any) -> None:
    _, problems = read(changed(valid_body(), path, value))
    assert path in problems.errors or any(key.startswith(path) for key in problems.errors)


def test_dates_are_read_as_utc_days() -> None:
    assert as_utc_date("2027-03-31") == date(2027, 3, 31)
    assert as_utc_date("2027-03-31T23:30:00-02:00") == date(2027, 4, 1)
    assert as_utc_date("2027-03-31T00:30:00+01:00") == date(2027, 3, 30)
    assert as_utc_date("2027-03-31T12:00:00.1234567Z") == date(2027, 3, 31)
    assert as_utc_date("31/03/2027") is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://acme.example", True),
        ("http://acme.example:8080/jobs?x=1#top", True),
        ("https://acme", False),
        ("acme.example", False),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://user:pw@acme.example", False),
        ("https://acme.example/a b", False),
        ("https://acme.example:99999/", False),
        ('https://acme.example/"onmouseover="x', False),
    ],
)
def test_urls_must_be_absolute_http_or_https(url: str, ok: bool) -> None:
    assert is_absolute_web_url(url) is ok


def test_dates_long_ago_are_errors_not_crashes() -> None:
    body = changed(valid_body(), "closingDate", "1990-01-01T00:00:00Z")
    body = changed(body, "startDate", "1990-02-01")
    _, problems = read(body)
    assert problems.errors == {"closingDate": [m.CLOSING_DATE_TOO_SOON]}


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "2027-02-29",
            "0001-01-01T00:00:00-23:59",
            "9999-12-31T23:59:59+14:00",
            "1e999",
            "<p>",
            "LS1 5AB",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
PATHS = [
    "title", "numberOfPositions", "closingDate", "startDate", "contractingParties",
    "contractingParties.ukprn", "contractingParties.accountLegalEntityPublicHashedId", "wage",
    "wage.wageType", "wage.fixedWageYearlyAmount", "wage.weeklyHours", "wage.duration",
    "wage.durationUnit", "wage.companyBenefitsInformation", "address", "address.postcode",
    "multipleAddresses", "recruitingNationally", "shortDescription", "description",
    "standardLarsCode", "employerNameOption", "alternativeEmployerName", "employerWebsiteUrl",
    "disabilityConfident", "submitterContactDetails", "submitterContactDetails.phone", "skills",
    "qualifications", "applicationMethod", "applicationUrl", "additionalQuestion1",
]  # fmt: skip


@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), max_size=6))
def test_any_json_anywhere_is_read_without_crashing(changes: list[tuple[str, Any]]) -> None:
    body = valid_body()
    for path, value in changes:
        # When an earlier change made the parent something other than an object, there
        # is nothing to put the value in.
        with contextlib.suppress(TypeError, KeyError, IndexError):
            body = changed(body, path, value)
    draft, problems = read(body)
    for path, messages in problems.errors.items():
        assert path and messages and all(isinstance(m_, str) and m_ for m_ in messages)
    if not problems:
        assert draft.title and draft.closing_date and draft.start_date
