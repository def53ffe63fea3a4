"""Every rule of a new advert that needs only the body: valid at its boundary, invalid one
step past it, with the message under the key the real service uses (R1; the whole table
of rules and their keys is in test_rules.py, sent through the API)."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.markup import _tag_tokens
from apprenticeships.recruitment.reader import Problems, as_utc_datetime
from apprenticeships.recruitment.validation import (
    AdvertDraft,
    is_absolute_web_url,
    is_question,
    lowest_fixed_wage,
    minimum_duration_months,
    read_advert,
)
from tests.recruitment.bodies import changed, today, valid_body


def read(body: dict[str, Any], *, for_provider: bool = False) -> tuple[AdvertDraft, Problems]:
    problems = Problems()
    draft = read_advert(body, today(), problems, for_provider=for_provider)
    return draft, problems


FAA = "What the apprenticeship will do at work"


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


def test_T3_property_names_match_in_any_case_and_rules_keep_their_keys() -> None:
    body = valid_body()
    body["TITLE"] = body.pop("title")
    body["WAGE"] = body.pop("wage")
    body["WAGE"]["weeklyhours"] = body["WAGE"].pop("weeklyHours")
    draft, problems = read(body)
    assert problems.errors == {}
    assert draft.title == "Apprentice Software Developer"
    body["WAGE"]["weeklyhours"] = 15
    _, problems = read(body)
    assert problems.errors == {"Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_FEW]}
    # A value that cannot be read is under its JSON path as sent.
    body["WAGE"]["weeklyhours"] = "fifteen"
    _, problems = read(body)
    assert list(problems.errors) == ["$.WAGE.weeklyhours"]


def test_T3_numbers_may_be_sent_as_strings_and_R4_enums_as_names_or_numbers() -> None:
    body = changed(valid_body(), "numberOfPositions", "3")
    body = changed(body, "wage.wageType", "fixedwage")
    body = changed(body, "wage.weeklyHours", "30.5")
    body = changed(body, "wage.durationUnit", 0)
    body = changed(body, "disabilityConfident", "0")
    draft, problems = read(body)
    assert problems.errors == {}
    assert draft.number_of_positions == 3
    assert draft.wage_type == "FixedWage"
    assert draft.weekly_hours == Decimal("30.5")
    assert draft.duration_unit == "Month"
    assert draft.disability_confident is False


@pytest.mark.parametrize(
    ("value", "number"),
    [("5", 5), ("-5", -5), ("007", 7), (5, 5)],
)
def test_T3_whole_numbers_are_read_as_system_text_json_reads_them(value: Any, number: int) -> None:
    draft, _ = read(changed(valid_body(), "numberOfPositions", value))
    assert draft.number_of_positions == (number if number > 0 else None)


@pytest.mark.parametrize("value", ["5.0", " 5", "5 ", "1e1", 5.0, 1e1, "", "five", True])
def test_T3_what_is_not_a_whole_number_to_system_text_json_is_unreadable(value: Any) -> None:
    _, problems = read(changed(valid_body(), "numberOfPositions", value))
    assert list(problems.errors) == ["$.numberOfPositions"]


def _lowest(hours: str) -> Decimal:
    return lowest_fixed_wage(today() + timedelta(days=60), Decimal(hours))


# (path, valid value at the boundary, invalid value one past it, error key, message)
BOUNDARIES: list[tuple[str, Any, Any, str, str]] = [
    (
        "title",
        "Apprentice " + "x" * 89,
        "Apprentice " + "x" * 90,
        "Title",
        m.max_length("Title", 100),
    ),
    ("title", "Software apprenticeship", "Apprentices wanted", "Title", m.TITLE_NEEDS_APPRENTICE),
    ("title", "Apprentice (level 3)", "Apprentice <b>now</b>", "Title", m.TITLE_INVALID),
    ("numberOfPositions", 1, 0, "NumberOfPositions", m.POSITIONS_REQUIRED),
    ("closingDate", day(7), day(6), "ClosingDate", m.CLOSING_DATE_TOO_SOON),
    (
        "startDate",
        day(15),
        f"{today() + timedelta(days=14)}T12:00:00Z",
        "",
        m.START_DATE_NOT_AFTER_CLOSING,
    ),
    ("wage.weeklyHours", 16, 15.99, "Wage.WeeklyHours", m.WEEKLY_HOURS_TOO_FEW),
    ("wage.weeklyHours", 48, 48.01, "Wage.WeeklyHours", m.WEEKLY_HOURS_TOO_MANY),
    ("wage.weeklyHours", 37.25, 37.255, "Wage.WeeklyHours", m.WEEKLY_HOURS_DECIMALS),
    ("wage.duration", 8, 7, "Wage.Duration", m.DURATION_TOO_SHORT),
    (
        "wage.fixedWageYearlyAmount",
        str(_lowest("37.5")),
        str(_lowest("37.5") - Decimal("0.01")),
        "Wage.FixedWageYearlyAmount",
        m.fixed_wage_below_minimum(_lowest("37.5")),
    ),
    (
        "wage.wageAdditionalInformation",
        "x" * 500,
        "x" * 501,
        "Wage.WageAdditionalInformation",
        m.max_length("WageAdditionalInformation", 500),
    ),
    (
        "wage.companyBenefitsInformation",
        "<p>" + "x" * 493 + "</p>",
        "<p>" + "x" * 494 + "</p>",
        "Wage.CompanyBenefitsInformation",
        m.max_length("CompanyBenefitsInformation", 500),
    ),
    (
        "wage.workingWeekDescription",
        "x" * 250,
        "x" * 251,
        "Wage.WorkingWeekDescription",
        m.max_length("WorkingWeekDescription", 250),
    ),
    (
        "address.addressLine1",
        "x" * 100,
        "x" * 101,
        "Address.AddressLine1",
        m.address_line_too_long(1),
    ),
    ("address.postcode", "LS1 5AB", "LS1 5A", "Address.Postcode", m.POSTCODE_INVALID),
    (
        "shortDescription",
        "x" * 50,
        "x" * 49,
        "ShortDescription",
        m.SHORT_DESCRIPTION_TOO_SHORT,
    ),
    (
        "shortDescription",
        "x" * 350,
        "x" * 351,
        "ShortDescription",
        m.max_length("ShortDescription", 350),
    ),
    (
        "description",
        "x" * 4000,
        "x" * 4001,
        "Description",
        m.max_length("Description", 4000),
    ),
    (
        "employerDescription",
        "x" * 4000,
        "x" * 4001,
        "EmployerDescription",
        m.EMPLOYER_DESCRIPTION_TOO_LONG,
    ),
    (
        "employerWebsiteUrl",
        "https://" + "a" * 84 + ".example",
        "https://" + "a" * 85 + ".example",
        "EmployerWebsiteUrl",
        m.WEBSITE_TOO_LONG,
    ),
    (
        "employerWebsiteUrl",
        "http://acme.example",
        "ftp://acme.example",
        "EmployerWebsiteUrl",
        m.WEBSITE_NOT_ABSOLUTE,
    ),
    (
        "employerWebsiteUrl",
        "https://acme.example/a?b=c",
        "javascript:alert(1)//acme.example",
        "EmployerWebsiteUrl",
        m.WEBSITE_NOT_ABSOLUTE,
    ),
    (
        "submitterContactDetails.email",
        "s@acme.example",
        "s@acme",
        "Contact.Email",
        m.EMAIL_INVALID,
    ),
    (
        "submitterContactDetails.email",
        "s@" + "a" * 90 + ".example",
        "s@" + "a" * 91 + ".example",
        "Contact.Email",
        m.EMAIL_TOO_LONG,
    ),
    (
        "submitterContactDetails.phone",
        "+44 (113) 496-00",
        "0113 496000x",
        "Contact.Phone",
        m.PHONE_INVALID,
    ),
    ("skills", ["x" * 30], ["x" * 31], "Skills[0]", m.SKILL_TOO_LONG),
    ("skills", ["Patience"], [" "], "Skills[0]", m.SKILL_EMPTY),
    (
        "additionalQuestion1",
        "x" * 249 + "?",
        "x" * 250 + "?",
        "AdditionalQuestion1",
        m.max_length("AdditionalQuestion1", 250),
    ),
    (
        "additionalQuestion2",
        "Can you drive?",
        "Tell us about yourself",
        "AdditionalQuestion2",
        m.QUESTION_MARK_REQUIRED,
    ),
    ("contractingParties.ukprn", 10000000, 9999999, "ContractingParties.Ukprn", m.UKPRN_FORMAT),
]


@pytest.mark.parametrize(
    ("path", "valid", "invalid", "key", "message"),
    BOUNDARIES,
    ids=[f"{b[0]}:{b[4][:30]}" for b in BOUNDARIES],
)
def test_each_rule_holds_at_its_boundary(
    path: str, valid: Any, invalid: Any, key: str, message: str
) -> None:
    _, problems = read(changed(valid_body(), path, valid))
    assert problems.errors == {}
    _, problems = read(changed(valid_body(), path, invalid))
    assert problems.errors == {key: [message]}


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
    assert problems.errors == {"Wage.Duration": [expected]}


def test_a_duration_in_years_counts_twelve_months_each() -> None:
    body = changed(valid_body(), "wage.durationUnit", "Year")
    body = changed(body, "wage.duration", 1)
    _, problems = read(body)
    assert problems.errors == {}
    body = changed(body, "wage.weeklyHours", 16)  # needs 15 months
    body = changed(body, "wage.fixedWageYearlyAmount", "40000")
    _, problems = read(body)
    assert problems.errors == {"Wage.Duration": [m.duration_too_short_for_hours(15)]}
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
    # The Recruit API's one message for a missing, zero or low fixed wage; ours when the
    # minimum cannot be known (here, no weekly hours).
    _, problems = read(changed(valid_body(), "wage.fixedWageYearlyAmount", ...))
    assert problems.errors == {
        "Wage.FixedWageYearlyAmount": [m.fixed_wage_below_minimum(_lowest("37.5"))]
    }
    body = changed(valid_body(), "wage.fixedWageYearlyAmount", ...)
    _, problems = read(changed(body, "wage.weeklyHours", ...))
    assert problems.errors == {
        "Wage.WeeklyHours": [m.WEEKLY_HOURS_REQUIRED],
        "Wage.FixedWageYearlyAmount": [m.FIXED_WAGE_REQUIRED],
    }
    # Beside another wage type the amount is dropped, as the real service drops it.
    body = changed(valid_body(), "wage.wageType", "NationalMinimumWageForApprentices")
    draft, problems = read(body)
    assert problems.errors == {}
    assert draft.fixed_wage_yearly_amount is None
    draft, problems = read(changed(body, "wage.fixedWageYearlyAmount", ...))
    assert problems.errors == {}
    assert draft.wage_type == "NationalMinimumWageForApprentices"
    assert draft.fixed_wage_yearly_amount is None


def test_exactly_one_way_of_saying_where_the_job_is() -> None:
    body = changed(valid_body(), "address", ...)
    _, problems = read(body)
    assert problems.errors == {"Address": [m.LOCATION_REQUIRED]}

    national = changed(body, "recruitingNationally", True)
    _, problems = read(national)
    assert problems.errors == {"recruitingNationallyDetails": [m.NATIONAL_DETAILS_REQUIRED]}
    draft, problems = read(changed(national, "recruitingNationallyDetails", "<p>Anywhere.</p>"))
    assert problems.errors == {}
    assert draft.recruiting_nationally and draft.addresses == []

    both = changed(valid_body(), "recruitingNationally", True)
    both = changed(both, "recruitingNationallyDetails", "<p>Anywhere.</p>")
    _, problems = read(both)
    assert problems.errors == {"": [m.LOCATION_ONE_ONLY]}


@pytest.mark.parametrize(("count", "ok"), [(1, False), (2, True), (10, True), (11, False)])
def test_multiple_addresses_hold_two_to_ten(count: int, ok: bool) -> None:
    addresses = [{"addressLine1": f"{n} High Street", "postcode": "LS1 5AB"} for n in range(count)]
    body = changed(changed(valid_body(), "address", ...), "multipleAddresses", addresses)
    draft, problems = read(body)
    if ok:
        assert problems.errors == {}
        assert len(draft.addresses) == count
    else:
        assert set(problems.errors) == {"MultipleAddresses"}


def test_address_errors_name_the_address_in_the_list() -> None:
    addresses = [
        {"addressLine1": "1 High Street", "postcode": "LS1 5AB"},
        {"addressLine1": "", "postcode": "nowhere"},
    ]
    body = changed(changed(valid_body(), "address", ...), "multipleAddresses", addresses)
    _, problems = read(body)
    assert problems.errors == {
        "MultipleAddresses[1].AddressLine1": [m.required("AddressLine1")],
        "MultipleAddresses[1].Postcode": [m.POSTCODE_INVALID],
    }


def test_employer_name_options_need_their_names() -> None:
    trading = changed(valid_body(), "employerNameOption", "TradingName")
    _, problems = read(trading)
    assert problems.errors == {
        "alternativeEmployerName": [m.employer_name_required(False), m.TRADING_NAME_REQUIRED]
    }
    draft, problems = read(changed(trading, "alternativeEmployerName", "Acme Robotics"))
    assert problems.errors == {}
    assert draft.alternative_employer_name == "Acme Robotics"

    anonymous = changed(valid_body(), "employerNameOption", "Anonymous")
    _, problems = read(anonymous, for_provider=True)
    assert problems.errors == {
        "alternativeEmployerName": [
            m.employer_name_required(True),
            m.ANONYMOUS_DESCRIPTION_REQUIRED,
        ],
        "AnonymousReason": [m.anonymous_reason_required(True)],
    }
    anonymous = changed(anonymous, "alternativeEmployerName", "A national software company")
    _, problems = read(changed(anonymous, "anonymousReason", "x" * 201))
    assert problems.errors == {"AnonymousReason": [m.ANONYMOUS_REASON_TOO_LONG]}
    draft, problems = read(changed(anonymous, "anonymousReason", "x" * 200))
    assert problems.errors == {}


def test_qualification_rules() -> None:
    base = valid_body()["qualifications"][0]

    def qualification_problems(**fields: Any) -> dict[str, list[str]]:
        item = {**base, **fields}
        return read(changed(valid_body(), "qualifications", [item]))[1].errors

    assert qualification_problems(qualificationType="BTEC", level=None) == {
        "Qualifications[0].Level": [m.QUALIFICATION_LEVEL_REQUIRED]
    }
    assert qualification_problems(qualificationType="BTEC", level=3) == {}
    assert qualification_problems(level=7) == {}
    assert qualification_problems(level=8) == {
        "Qualifications[0].Level": [m.not_allowed_value("Level")]
    }
    assert qualification_problems(qualificationType="NVQ") == {
        "Qualifications[0].QualificationType": [m.QUALIFICATION_TYPE_INVALID]
    }
    assert qualification_problems(qualificationType="Other") == {
        "Qualifications[0].OtherQualificationName": [m.OTHER_QUALIFICATION_REQUIRED]
    }
    assert qualification_problems(qualificationType="Other", otherQualificationName="NVQ") == {}
    assert qualification_problems(subject="x" * 50, grade="x" * 30) == {}
    errors = qualification_problems(subject="x" * 51, grade="x" * 31, weighting="Maybe")
    assert errors.pop("$.qualifications[0].weighting")
    assert errors == {
        "Qualifications[0].Subject": [m.QUALIFICATION_SUBJECT_TOO_LONG],
        "Qualifications[0].Grade": [m.QUALIFICATION_GRADE_TOO_LONG],
    }


def test_application_method_rules() -> None:
    external = changed(valid_body(), "applicationMethod", "ThroughExternalApplicationSite")
    external = changed(external, "additionalQuestion1", ...)
    _, problems = read(external)
    assert problems.errors == {"ApplicationUrl": [m.APPLICATION_URL_REQUIRED]}
    external = changed(external, "applicationUrl", "https://jobs.acme.example/apply?id=7")
    draft, problems = read(changed(external, "applicationInstructions", "x" * 500))
    assert problems.errors == {}
    assert draft.application_url == "https://jobs.acme.example/apply?id=7"
    _, problems = read(changed(external, "applicationInstructions", "x" * 501))
    assert problems.errors == {"ApplicationInstructions": [m.APPLICATION_INSTRUCTIONS_TOO_LONG]}
    _, problems = read(changed(external, "applicationUrl", "https://" + "a" * 1990 + ".example"))
    assert problems.errors == {"ApplicationUrl": [m.APPLICATION_URL_TOO_LONG]}
    _, problems = read(changed(external, "additionalQuestion1", "Why?"))
    assert problems.errors == {"AdditionalQuestion1": [m.QUESTION_NOT_ALLOWED]}

    faa = changed(valid_body(), "applicationUrl", "https://jobs.acme.example/apply")
    faa = changed(faa, "applicationInstructions", "Send a CV")
    _, problems = read(faa)
    assert problems.errors == {
        "ApplicationUrl": [m.APPLICATION_URL_NOT_ALLOWED],
        "ApplicationInstructions": [m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED],
    }


def test_a_providers_key_needs_no_ukprn_but_an_employers_does() -> None:
    body = changed(valid_body(), "contractingParties.ukprn", ...)
    _, problems = read(body)
    assert problems.errors == {"ContractingParties.Ukprn": [m.UKPRN_REQUIRED]}
    draft, problems = read(body, for_provider=True)
    assert problems.errors == {} and draft.ukprn is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # The outer API's HTML rule, in its words.
        ("<p>Hi<script>alert(1)</script></p>", "<script> tags are not allowed."),
        ('<a href="javascript:alert(1)">Hi</a>', "Tag <a> is not allowed."),
        ("<p>Hi", "Malformed HTML: <p> is never closed."),
        ("<ul><p>Hi</p></ul>", "<ul> may only contain <li>, found <p>."),
        ("<li>Hi</li>", "<li> must be inside <ul>."),
        # Its source check knows only <br> as a tag without an end.
        (
            "<img src=x onerror=alert(1)>",
            "Malformed HTML: <img> is never closed.; Tag <img> is not allowed.",
        ),
        # What only the Recruit API's sanitiser refuses.
        ('<p onclick="steal()">Hi</p>', f"{FAA} contains some invalid characters"),
        ("<p>Hi</p><!-- x -->", f"{FAA} contains some invalid characters"),
        ("<style>p{}</style>", f"{FAA} contains some invalid characters"),
        # What only our rule refuses.
        ("<p>One<p>Two</p></p>", f"{FAA} must be well-formed HTML. <p> is not allowed inside <p>."),
    ],
)
def test_html_fields_reject_markup_beyond_p_br_ul_li(value: str, message: str) -> None:
    _, problems = read(changed(valid_body(), "description", value))
    assert problems.errors == {"Description": [message]}


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
    ((key, (message,)),) = problems.errors.items()
    assert key == "$.title"
    assert message.startswith(
        "The JSON value could not be converted to System.String. Path: $.title |"
    )


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
        ("qualifications", [5]),
        ("recruitingNationally", "yes"),
    ],
)
def test_unreadable_values_are_reported_under_their_path(path: str, value: Any) -> None:
    _, problems = read(changed(valid_body(), path, value))
    assert any(key.startswith(f"$.{path}") for key in problems.errors), problems.errors


def test_dates_are_read_as_utc_moments() -> None:
    assert as_utc_datetime("2027-03-31") == datetime(2027, 3, 31)
    assert as_utc_datetime("2027-03-31T23:30") == datetime(2027, 3, 31, 23, 30)
    assert as_utc_datetime("2027-03-31T23:30:00-02:00") == datetime(2027, 4, 1, 1, 30)
    assert as_utc_datetime("2027-03-31T00:30:00+01:00") == datetime(2027, 3, 30, 23, 30)
    assert as_utc_datetime("2027-03-31T12:00:00.1234567Z") == datetime(
        2027, 3, 31, 12, 0, 0, 123456
    )
    assert as_utc_datetime("31/03/2027") is None
    assert as_utc_datetime("2027-03-31 12:00") is None  # System.Text.Json wants the "T"


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
        ("http://192.168.0.1/", False),
        ('https://acme.example/"onmouseover="x', False),
    ],
)
def test_urls_must_be_absolute_http_or_https(url: str, ok: bool) -> None:
    assert is_absolute_web_url(url) is ok


def test_dates_long_ago_are_errors_not_crashes() -> None:
    body = changed(valid_body(), "closingDate", "1990-01-01T00:00:00Z")
    body = changed(body, "startDate", "1990-02-01")
    _, problems = read(body)
    assert problems.errors == {"ClosingDate": [m.CLOSING_DATE_TOO_SOON]}


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
    for messages in problems.errors.values():
        assert messages and all(isinstance(m_, str) and m_ for m_ in messages)
    if not problems:
        assert draft.title and draft.closing_date and draft.start_date


# The outer API's patterns, run here only on short text: as regular expressions they take
# exponential (questions) or quadratic (tags) time on some input.
REAL_QUESTION = re.compile(r"\w(.*)\w\?(\s\w(.*)\w[\.\?])*")
REAL_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)\s*>")


@given(st.text(alphabet="ab_1é?.! \n\t", max_size=16))
def test_questions_are_judged_as_the_real_pattern_judges_them(text: str) -> None:
    assert is_question(text) is (REAL_QUESTION.fullmatch(text) is not None)


@given(st.text(alphabet="<>/ aB1\n=", max_size=20))
def test_tags_are_found_as_the_real_pattern_finds_them(text: str) -> None:
    expected = [(t.group(1) == "/", t.group(2), t.group(3) == "/") for t in REAL_TAG.finditer(text)]
    assert list(_tag_tokens(text)) == expected


def test_text_that_makes_the_real_patterns_backtrack_is_judged_at_once() -> None:
    # Minutes or more as regular expressions; linear here.
    assert is_question("ab? " + "ab. " * 5000 + "!") is False
    assert is_question("ab?" + " ab." * 5000) is True
    assert list(_tag_tokens("<a" * 50_000)) == []
    _, problems = read(changed(valid_body(), "additionalQuestion1", "ab? " + "ab. " * 60 + "!"))
    assert problems.errors == {"AdditionalQuestion1": [m.QUESTION_MARK_REQUIRED]}
