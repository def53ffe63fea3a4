"""R1: every rule of a new advert, keyed and worded as the real service keys and words it.

``RULES`` is the table the compatibility notes list: for each rule, the change to a valid
advert that breaks it and the exact ``errors`` object of the 400 answer. Each row is sent
through the gateway as a real request. The keys are the real service's C# property paths
(``Title``, ``Wage.WeeklyHours``, ``""`` across fields), its renamed keys
(``standardLarsCode``, ``alternativeEmployerName``, ``recruitingNationallyDetails``) and,
for a value that cannot be read, the value's JSON path; the stage of the real service that
answers each is in ``apprenticeships.recruitment.messages``.

Also here: R3 (standardLarsCode as a string or a number), R4 (enums by name or number) and
T3 (property names in any case, numbers as strings), which need the same world.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from apprenticeships.app import Platform
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.validation import lowest_fixed_wage
from apprenticeships.settings import Settings
from tests.conftest import client_for
from tests.recruitment.bodies import changed, today, valid_body
from tests.recruitment.conftest import Recruiting, build_recruiting
from tests.support import services

pytestmark = pytest.mark.asyncio(loop_scope="module")

MODELS = "SFA.DAS.VacanciesManage.Api.Models."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, sqlite_databases: services.SqliteDatabases
) -> AsyncIterator[Recruiting]:
    """One platform for the whole table, on SQLite: nothing in it is stored (each row
    sends the sandbox a broken advert), so the rows cannot affect each other."""
    var_dir: Path = tmp_path_factory.mktemp("rules") / "var"
    settings = Settings(
        var_dir=var_dir,
        database_url=sqlite_databases.new(),
        secret_key="test-secret-not-for-production",
        access_log=False,
        rate_limit="1000000/300",
        _env_file=None,  # type: ignore[call-arg]
    )
    platform = Platform(settings)
    async with platform.running(), client_for(platform) as http:
        yield await build_recruiting(platform, http)


def day(offset: int, time: str = "00:00:00") -> str:
    return f"{today() + timedelta(days=offset)}T{time}Z"


def lowest(hours: str) -> Decimal:
    return lowest_fixed_wage(today() + timedelta(days=60), Decimal(hours))


# What the body had the value at ``path`` replaced with, as a JSON fragment: to find where
# System.Text.Json would say the value ends in the body as sent.
Expected = dict[str, list[str]] | Callable[[str], dict[str, list[str]]]


def unreadable(path: str, dotnet_type: str, fragment: str) -> Callable[[str], dict[str, list[str]]]:
    """The errors for a value System.Text.Json cannot read: under its JSON path, saying
    where the value ends (``fragment`` is how it appears in the body sent)."""

    def expected(raw: str) -> dict[str, list[str]]:
        end = raw.index(fragment) + len(fragment)
        return {path: [m.not_converted(dotnet_type, path, 0, len(raw[:end].encode()))]}

    return expected


@dataclass(frozen=True)
class Rule:
    name: str
    changes: dict[str, Any]  # dotted path -> value (``...`` removes it)
    errors: Expected
    key: str = "employer_sandbox"
    removals: tuple[str, ...] = field(default=())

    def body(self, legal_entity: str) -> dict[str, Any]:
        body = valid_body(legal_entity, ukprn=None if "provider" in self.key else 10000001)
        for path in self.removals:
            body = changed(body, path, ...)
        for path, value in self.changes.items():
            body = changed(body, path, value)
        return body


ADDRESS = {"addressLine1": "1 High Street", "postcode": "LS1 5AB"}
NATIONAL = {"recruitingNationally": True, "recruitingNationallyDetails": "<p>Anywhere.</p>"}
EXTERNAL = {"applicationMethod": "ThroughExternalApplicationSite", "additionalQuestion1": ...}
EXTERNAL_URL = {**EXTERNAL, "applicationUrl": "https://jobs.acme.example/apply"}
FAA_LABEL = "What the apprenticeship will do at work"


def q(**fields: Any) -> dict[str, Any]:
    """The first qualification with these fields changed."""
    return {f"qualifications.0.{name}": value for name, value in fields.items()}


RULES = [
    # -- 1. Reading the body (System.Text.Json), under the value's JSON path ----------------
    Rule("title not a string", {"title": 5}, unreadable("$.title", "System.String", '"title": 5')),
    Rule(
        "numberOfPositions not a number",
        {"numberOfPositions": "ten"},
        unreadable("$.numberOfPositions", "System.Int32", '"numberOfPositions": "ten"'),
    ),
    Rule(
        "numberOfPositions with a fraction",
        {"numberOfPositions": 2.5},
        unreadable("$.numberOfPositions", "System.Int32", '"numberOfPositions": 2.5'),
    ),
    Rule(
        "numberOfPositions null",
        {"numberOfPositions": None},
        unreadable("$.numberOfPositions", "System.Int32", '"numberOfPositions": null'),
    ),
    Rule(
        "numberOfPositions past Int32",
        {"numberOfPositions": 2**31},
        unreadable("$.numberOfPositions", "System.Int32", f'"numberOfPositions": {2**31}'),
    ),
    Rule(
        "weeklyHours not a number",
        {"wage.weeklyHours": "abc"},
        unreadable("$.wage.weeklyHours", "System.Decimal", '"weeklyHours": "abc"'),
    ),
    Rule(
        "fixedWageYearlyAmount not a number",
        {"wage.fixedWageYearlyAmount": "£25,000"},
        unreadable(
            "$.wage.fixedWageYearlyAmount",
            "System.Nullable`1[System.Decimal]",
            '"fixedWageYearlyAmount": "\\u00a325,000"',
        ),
    ),
    Rule(
        "closingDate not a date",
        {"closingDate": "tomorrow"},
        unreadable("$.closingDate", "System.DateTime", '"closingDate": "tomorrow"'),
    ),
    Rule(
        "closingDate not a day",
        {"closingDate": "2027-02-30"},
        unreadable("$.closingDate", "System.DateTime", '"closingDate": "2027-02-30"'),
    ),
    Rule(
        "recruitingNationally not a boolean",
        {"recruitingNationally": "yes"},
        unreadable("$.recruitingNationally", "System.Boolean", '"recruitingNationally": "yes"'),
    ),
    Rule(
        "wage not an object",
        {"wage": "lots"},
        unreadable("$.wage", MODELS + "CreateVacancyWage", '"wage": "lots"'),
    ),
    Rule(
        "address not an object",
        {"address": []},
        unreadable("$.address", MODELS + "CreateVacancyAddress", '"address": ['),
    ),
    Rule(
        "multipleAddresses not a list",
        {"multipleAddresses": "x"},
        unreadable(
            "$.multipleAddresses",
            f"System.Collections.Generic.List`1[{MODELS}CreateVacancyAddress]",
            '"multipleAddresses": "x"',
        ),
        removals=("address",),
    ),
    Rule(
        "skills not a list",
        {"skills": "IT skills"},
        unreadable(
            "$.skills", "System.Collections.Generic.List`1[System.String]", '"skills": "IT skills"'
        ),
    ),
    Rule(
        "a skill not a string",
        {"skills": [5]},
        unreadable("$.skills[0]", "System.String", '"skills": [5'),
    ),
    Rule(
        "wageType not a wage type",
        {"wage.wageType": "Monthly"},
        unreadable("$.wage.wageType", MODELS + "WageType", '"wageType": "Monthly"'),
    ),
    Rule(
        "wageType number not a wage type",
        {"wage.wageType": 4},
        unreadable("$.wage.wageType", MODELS + "WageType", '"wageType": 4'),
    ),
    Rule(
        "durationUnit number not a unit",
        {"wage.durationUnit": 2},
        unreadable("$.wage.durationUnit", MODELS + "DurationUnit", '"durationUnit": 2'),
    ),
    Rule(
        "disabilityConfident not an answer",
        {"disabilityConfident": "Maybe"},
        unreadable(
            "$.disabilityConfident",
            MODELS + "CreateVacancyDisabilityConfident",
            '"disabilityConfident": "Maybe"',
        ),
    ),
    Rule(
        "applicationMethod not a method",
        {"applicationMethod": 5},
        unreadable(
            "$.applicationMethod",
            MODELS + "CreateVacancyApplicationMethod",
            '"applicationMethod": 5',
        ),
    ),
    Rule(
        "employerNameOption not an option",
        {"employerNameOption": "Hidden"},
        unreadable(
            "$.employerNameOption", MODELS + "EmployerNameOption", '"employerNameOption": "Hidden"'
        ),
    ),
    Rule(
        "weighting not a weighting",
        q(weighting="Maybe"),
        unreadable(
            "$.qualifications[0].weighting",
            MODELS + "QualificationWeighting",
            '"weighting": "Maybe"',
        ),
    ),
    Rule(
        "level not a number",
        q(level="three"),
        unreadable(
            "$.qualifications[0].level", "System.Nullable`1[System.Int32]", '"level": "three"'
        ),
    ),
    Rule(
        "standardLarsCode a fraction",
        {"standardLarsCode": 2.5},
        unreadable("$.standardLarsCode", "System.String", '"standardLarsCode": 2.5'),
    ),
    Rule(
        "ukprn not a number",
        {"contractingParties.ukprn": "abc"},
        unreadable("$.contractingParties.ukprn", "System.Int32", '"ukprn": "abc"'),
    ),
    # -- 2. The outer API's data annotations, under its C# property paths ------------------
    Rule("title missing", {"title": ...}, {"Title": ["The Title field is required."]}),
    Rule("title blank", {"title": "   "}, {"Title": ["The Title field is required."]}),
    Rule(
        "title too long",
        {"title": "Apprentice " + "x" * 90},
        {"Title": [m.max_length("Title", 100)]},
    ),
    Rule(
        "contractingParties missing",
        {"contractingParties": ...},
        {"ContractingParties": ["The ContractingParties field is required."]},
    ),
    Rule(
        "legal entity missing",
        {"contractingParties.accountLegalEntityPublicHashedId": ...},
        {
            "ContractingParties.AccountLegalEntityPublicHashedId": [
                "The AccountLegalEntityPublicHashedId field is required."
            ]
        },
    ),
    Rule("wage missing", {"wage": ...}, {"Wage": ["The Wage field is required."]}),
    Rule(
        "workingWeekDescription missing",
        {"wage.workingWeekDescription": ...},
        {"Wage.WorkingWeekDescription": ["The WorkingWeekDescription field is required."]},
    ),
    Rule(
        "workingWeekDescription too long",
        {"wage.workingWeekDescription": "x" * 251},
        {"Wage.WorkingWeekDescription": [m.max_length("WorkingWeekDescription", 250)]},
    ),
    Rule(
        "wageAdditionalInformation too long",
        {"wage.wageAdditionalInformation": "x" * 501},
        {"Wage.WageAdditionalInformation": [m.max_length("WageAdditionalInformation", 500)]},
    ),
    Rule(
        "companyBenefitsInformation too long",
        {"wage.companyBenefitsInformation": "<p>" + "x" * 494 + "</p>"},
        {"Wage.CompanyBenefitsInformation": [m.max_length("CompanyBenefitsInformation", 500)]},
    ),
    Rule(
        "shortDescription missing",
        {"shortDescription": ...},
        {"ShortDescription": ["The ShortDescription field is required."]},
    ),
    Rule(
        "shortDescription too long",
        {"shortDescription": "x" * 351},
        {"ShortDescription": [m.max_length("ShortDescription", 350)]},
    ),
    Rule(
        "description missing",
        {"description": ""},
        {"Description": ["The Description field is required."]},
    ),
    Rule(
        "description too long",
        {"description": "x" * 4001},
        {"Description": [m.max_length("Description", 4000)]},
    ),
    Rule(
        "outcomeDescription missing",
        {"outcomeDescription": ...},
        {"OutcomeDescription": ["The OutcomeDescription field is required."]},
    ),
    Rule(
        "trainingDescription too long",
        {"trainingDescription": "x" * 4001},
        {"TrainingDescription": [m.max_length("TrainingDescription", 4000)]},
    ),
    Rule(
        "trainingDescription missing",
        {"trainingDescription": None},
        {"TrainingDescription": ["The TrainingDescription field is required."]},
    ),
    Rule(
        "additionalTrainingDescription too long",
        {"additionalTrainingDescription": "x" * 4001},
        {"AdditionalTrainingDescription": [m.max_length("AdditionalTrainingDescription", 4000)]},
    ),
    Rule(
        "thingsToConsider too long",
        {"thingsToConsider": "x" * 4001},
        {"ThingsToConsider": [m.max_length("ThingsToConsider", 4000)]},
    ),
    Rule(
        "employerDescription missing",
        {"employerDescription": ...},
        {"EmployerDescription": ["The EmployerDescription field is required."]},
    ),
    Rule(
        "standardLarsCode missing",
        {"standardLarsCode": ...},
        {"ProgrammeId": ["The ProgrammeId field is required."]},
    ),
    Rule(
        "standardLarsCode empty",
        {"standardLarsCode": ""},
        {"ProgrammeId": ["The ProgrammeId field is required."]},
    ),
    Rule(
        "trading name too long",
        {"employerNameOption": "TradingName", "alternativeEmployerName": "x" * 101},
        {"EmployerName": [m.max_length("EmployerName", 100)]},
    ),
    Rule(
        "submitterContactDetails missing",
        {"submitterContactDetails": ...},
        {"SubmitterContactDetails": ["The SubmitterContactDetails field is required."]},
    ),
    Rule(
        "contact name missing",
        {"submitterContactDetails.name": ...},
        {"SubmitterContactDetails.Name": ["The Name field is required."]},
    ),
    Rule(
        "contact email blank",
        {"submitterContactDetails.email": " "},
        {"SubmitterContactDetails.Email": ["The Email field is required."]},
    ),
    Rule(
        "address line 1 missing",
        {"address.addressLine1": ...},
        {"Address.AddressLine1": ["The AddressLine1 field is required."]},
    ),
    Rule(
        "address postcode missing",
        {"address.postcode": ...},
        {"Address.Postcode": ["The Postcode field is required."]},
    ),
    Rule(
        "one of multipleAddresses",
        {"multipleAddresses": [ADDRESS]},
        {"MultipleAddresses": [m.min_length("MultipleAddresses", 2)]},
        removals=("address",),
    ),
    Rule(
        "multipleAddresses empty beside an address",
        {"multipleAddresses": []},
        {"MultipleAddresses": [m.min_length("MultipleAddresses", 2)]},
    ),
    Rule(
        "eleven multipleAddresses",
        {"multipleAddresses": [ADDRESS] * 11},
        {"MultipleAddresses": [m.max_length("MultipleAddresses", 10)]},
        removals=("address",),
    ),
    Rule(
        "a postcode of multipleAddresses missing",
        {"multipleAddresses": [ADDRESS, {"addressLine1": "2 High Street"}]},
        {"MultipleAddresses[1].Postcode": ["The Postcode field is required."]},
        removals=("address",),
    ),
    Rule(
        "recruitingNationallyDetails too long",
        {**NATIONAL, "recruitingNationallyDetails": "x" * 501},
        {"RecruitingNationallyDetails": [m.max_length("RecruitingNationallyDetails", 500)]},
        removals=("address",),
    ),
    Rule(
        "additionalQuestion1 too long",
        {"additionalQuestion1": "Why " + "x" * 245 + "s?"},
        {"AdditionalQuestion1": [m.max_length("AdditionalQuestion1", 250)]},
    ),
    Rule(
        "additionalQuestion2 not a question",
        {"additionalQuestion2": "Tell us about yourself"},
        {"AdditionalQuestion2": ["Must include '?'"]},
    ),
    Rule(
        "additionalQuestion1 ending in a symbol",
        {"additionalQuestion1": "Are you 18+?"},
        {"AdditionalQuestion1": ["Must include '?'"]},
    ),
    Rule(
        "level out of range",
        q(level=8),
        {"Qualifications[0].Level": [m.not_allowed_value("Level")]},
    ),
    # -- 3. The outer API's HTML rule, its messages joined by "; " -------------------------
    Rule(
        "HTML: a tag",
        {"description": "<div>Hi</div>"},
        {"Description": ["Tag <div> is not allowed."]},
    ),
    Rule(
        "HTML: two tags",
        {"description": "<div><span>Hi</span></div>"},
        {"Description": ["Tag <div> is not allowed.; Tag <span> is not allowed."]},
    ),
    Rule(
        "HTML: script",
        {"description": "<p>Hi<script>alert(1)</script></p>"},
        {"Description": ["<script> tags are not allowed."]},
    ),
    Rule(
        "HTML: never closed",
        {"outcomeDescription": "<p>Unclosed"},
        {"OutcomeDescription": ["Malformed HTML: <p> is never closed."]},
    ),
    Rule(
        "HTML: mismatched",
        {"employerDescription": "<p>One</b></p>"},
        {
            "EmployerDescription": [
                "Malformed HTML: </b> does not match the open <p> — likely an unclosed tag."
            ]
        },
    ),
    Rule(
        "HTML: stray end tag",
        {"shortDescription": "</p>" + "x" * 60},
        {"ShortDescription": ["Malformed HTML: stray </p> with no matching open tag."]},
    ),
    Rule(
        "HTML: li outside ul",
        {"thingsToConsider": "<li>loose</li>"},
        {"ThingsToConsider": ["<li> must be inside <ul>."]},
    ),
    Rule(
        "HTML: ul holding p",
        {"trainingDescription": "<ul><p>Hi</p></ul>"},
        {"TrainingDescription": ["<ul> may only contain <li>, found <p>."]},
    ),
    Rule(
        "HTML: text in ul",
        {"additionalTrainingDescription": "<ul>Text</ul>"},
        {
            "AdditionalTrainingDescription": [
                "Text is not allowed directly inside <ul>; wrap it in <li>."
            ]
        },
    ),
    Rule(
        "HTML: company benefits",
        {"wage.companyBenefitsInformation": "<b>Gym</b>"},
        {"Wage.CompanyBenefitsInformation": ["Tag <b> is not allowed."]},
    ),
    Rule(
        "HTML: recruitingNationallyDetails",
        {**NATIONAL, "recruitingNationallyDetails": "<div>Anywhere</div>"},
        {"RecruitingNationallyDetails": ["Tag <div> is not allowed."]},
        removals=("address",),
    ),
    # -- 4. The outer API's own checks -----------------------------------------------------
    Rule(
        "postcode outside England",
        {"address.postcode": "EH1 1AA"},
        {"Address.Postcode": [m.POSTCODE_NOT_IN_ENGLAND]},
    ),
    Rule(
        "a postcode of multipleAddresses outside England",
        {"multipleAddresses": [ADDRESS, {**ADDRESS, "postcode": "CF10 1AA"}]},
        {"MultipleAddresses[1].Postcode": [m.POSTCODE_NOT_IN_ENGLAND]},
        removals=("address",),
    ),
    # -- 5. The Recruit API's rules --------------------------------------------------------
    Rule(
        "title without the word",
        {"title": "Software developer"},
        {"Title": [m.TITLE_NEEDS_APPRENTICE]},
    ),
    Rule(
        "title with the word in a compound",
        {"title": "Apprentice-chef wanted"},
        {"Title": [m.TITLE_NEEDS_APPRENTICE]},
    ),
    Rule("title characters", {"title": "Apprentice <b>now</b>"}, {"Title": [m.TITLE_INVALID]}),
    Rule("no positions", {"numberOfPositions": 0}, {"NumberOfPositions": [m.POSITIONS_REQUIRED]}),
    Rule(
        "positions missing",
        {"numberOfPositions": ...},
        {"NumberOfPositions": [m.POSITIONS_REQUIRED]},
    ),
    Rule("closing date missing", {"closingDate": ...}, {"ClosingDate": [m.CLOSING_DATE_REQUIRED]}),
    Rule(
        "closing date too soon", {"closingDate": day(6)}, {"ClosingDate": [m.CLOSING_DATE_TOO_SOON]}
    ),
    Rule("start date missing", {"startDate": ...}, {"StartDate": [m.START_DATE_REQUIRED]}),
    Rule(
        "start date later on the closing day",
        {"startDate": day(14, "12:00:00")},
        {"": [m.START_DATE_NOT_AFTER_CLOSING]},
    ),
    Rule(
        "start date before the closing date",
        {"startDate": day(10)},
        {"StartDate": [m.START_DATE_BEFORE_CLOSING], "": [m.START_DATE_NOT_AFTER_CLOSING]},
    ),
    Rule("wage type missing", {"wage.wageType": ...}, {"Wage.WageType": [m.WAGE_TYPE_REQUIRED]}),
    Rule(
        "weekly hours missing",
        {"wage.weeklyHours": ...},
        {"Wage.WeeklyHours": [m.WEEKLY_HOURS_REQUIRED]},
    ),
    Rule(
        "weekly hours too few",
        {"wage.weeklyHours": 15.99},
        {"Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_FEW]},
    ),
    Rule(
        "weekly hours too many",
        {"wage.weeklyHours": 48.01},
        {"Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_MANY]},
    ),
    Rule("duration missing", {"wage.duration": ...}, {"Wage.Duration": [m.DURATION_REQUIRED]}),
    Rule(
        "duration unit missing",
        {"wage.durationUnit": ...},
        {"Wage.DurationUnit": [m.DURATION_REQUIRED]},
    ),
    Rule("duration too short", {"wage.duration": 7}, {"Wage.Duration": [m.DURATION_TOO_SHORT]}),
    Rule(
        "duration too short for part time",
        {"wage.duration": 11, "wage.weeklyHours": 20, "wage.fixedWageYearlyAmount": 40000},
        {"Wage.Duration": [m.duration_too_short_for_hours(12)]},
    ),
    Rule(
        "fixed wage below the minimum",
        {"wage.fixedWageYearlyAmount": str(lowest("37.5") - Decimal("0.01"))},
        {"Wage.FixedWageYearlyAmount": [m.fixed_wage_below_minimum(lowest("37.5"))]},
    ),
    Rule(
        "fixed wage missing",
        {"wage.fixedWageYearlyAmount": ...},
        {"Wage.FixedWageYearlyAmount": [m.fixed_wage_below_minimum(lowest("37.5"))]},
    ),
    Rule(
        "fixed wage zero",
        {"wage.fixedWageYearlyAmount": 0},
        {"Wage.FixedWageYearlyAmount": [m.fixed_wage_below_minimum(lowest("37.5"))]},
    ),
    Rule(
        "pay information characters",
        {"wage.wageAdditionalInformation": "Reviewed {yearly}"},
        {"Wage.WageAdditionalInformation": [m.WAGE_INFORMATION_INVALID]},
    ),
    Rule(
        "working week characters",
        {"wage.workingWeekDescription": "Mon <-> Fri"},
        {"Wage.WorkingWeekDescription": [m.WORKING_WEEK_INVALID]},
    ),
    Rule(
        "company benefits characters",
        {"wage.companyBenefitsInformation": "<p>Gym {free}</p>"},
        {"Wage.CompanyBenefitsInformation": ["Company benefits contains some invalid characters"]},
    ),
    Rule(
        "recruiting nationally without details",
        {"recruitingNationally": True},
        {"recruitingNationallyDetails": [m.NATIONAL_DETAILS_REQUIRED]},
        removals=("address",),
    ),
    Rule(
        "address line too long",
        {"address.addressLine2": "x" * 101},
        {"Address.AddressLine2": [m.address_line_too_long(2)]},
    ),
    Rule(
        "address line characters",
        {"address.addressLine3": "Flat <3>"},
        {"Address.AddressLine3": [m.address_line_invalid(3)]},
    ),
    Rule(
        "address line 1 of multipleAddresses too long",
        {"multipleAddresses": [ADDRESS, {**ADDRESS, "addressLine1": "x" * 101}]},
        {"MultipleAddresses[1].AddressLine1": [m.address_line_too_long(1)]},
        removals=("address",),
    ),
    Rule(
        "postcode format",
        {"address.postcode": "LS1 5A"},
        {"Address.Postcode": [m.POSTCODE_INVALID]},
    ),
    Rule(
        "short description too short",
        {"shortDescription": "x" * 49},
        {"ShortDescription": [m.SHORT_DESCRIPTION_TOO_SHORT]},
    ),
    Rule(
        "short description characters",
        {"shortDescription": "Join us {now} " + "x" * 50},
        {
            "ShortDescription": [
                "Short description of the apprenticeship contains some invalid characters"
            ]
        },
    ),
    Rule(
        "description comment",
        {"description": "<p>Hi</p><!-- note -->"},
        {"Description": [f"{FAA_LABEL} contains some invalid characters"]},
    ),
    Rule(
        "description attribute",
        {"description": '<p onclick="x()">Hi</p>'},
        {"Description": [f"{FAA_LABEL} contains some invalid characters"]},
    ),
    Rule(
        "outcome description without text",
        {"outcomeDescription": "<p></p>"},
        {
            "OutcomeDescription": [
                "What is the expected career progression after this apprenticeship "
                "description contains some invalid characters"
            ]
        },
    ),
    Rule(
        "training description characters",
        {"trainingDescription": "<p>Plan|B</p>"},
        {
            "TrainingDescription": [
                "The apprentice’s training plan contains some invalid characters"
            ]
        },
    ),
    Rule(
        "additional training characters",
        {"additionalTrainingDescription": "<p>a^b</p>"},
        {
            "AdditionalTrainingDescription": [
                "Any additional training information contains some invalid characters"
            ]
        },
    ),
    Rule(
        "things to consider characters",
        {"thingsToConsider": "<p>~</p>"},
        {"ThingsToConsider": ["Other requirements contains some invalid characters"]},
    ),
    Rule(
        "employer description too long",
        {"employerDescription": "<p>" + "x" * 3994 + "</p>"},
        {"EmployerDescription": [m.EMPLOYER_DESCRIPTION_TOO_LONG]},
    ),
    Rule(
        "employer description script in the head",
        {"employerDescription": "<script>alert(1)</script><p>We build software.</p>"},
        {
            "EmployerDescription": [
                "Information about the employer contains some invalid characters"
            ]
        },
    ),
    Rule(
        "employer name missing",
        {"employerNameOption": "TradingName"},
        {"alternativeEmployerName": [m.employer_name_required(False), m.TRADING_NAME_REQUIRED]},
    ),
    Rule(
        "employer name missing for a provider",
        {"employerNameOption": "TradingName"},
        {"alternativeEmployerName": [m.employer_name_required(True), m.TRADING_NAME_REQUIRED]},
        key="provider_sandbox",
    ),
    Rule(
        "trading name characters",
        {"employerNameOption": "TradingName", "alternativeEmployerName": "Acme <Robotics>"},
        {"alternativeEmployerName": [m.TRADING_NAME_INVALID]},
    ),
    Rule(
        "anonymous without description or reason",
        {"employerNameOption": "Anonymous"},
        {
            "alternativeEmployerName": [
                m.employer_name_required(False),
                m.ANONYMOUS_DESCRIPTION_REQUIRED,
            ],
            "AnonymousReason": [m.anonymous_reason_required(False)],
        },
    ),
    Rule(
        "anonymous description characters",
        {
            "employerNameOption": "Anonymous",
            "alternativeEmployerName": "A {secret} company",
            "anonymousReason": "Confidential project",
        },
        {"alternativeEmployerName": [m.ANONYMOUS_DESCRIPTION_INVALID]},
    ),
    Rule(
        "anonymous reason too long and with bad characters",
        {
            "employerNameOption": "Anonymous",
            "alternativeEmployerName": "A software company",
            "anonymousReason": "{" + "x" * 200,
        },
        {"AnonymousReason": [m.ANONYMOUS_REASON_TOO_LONG, m.ANONYMOUS_REASON_INVALID]},
    ),
    Rule(
        "employer website too long",
        {"employerWebsiteUrl": "https://" + "a" * 85 + ".example"},
        {"EmployerWebsiteUrl": [m.WEBSITE_TOO_LONG]},
    ),
    Rule(
        "employer website no dot",
        {"employerWebsiteUrl": "acme"},
        {"EmployerWebsiteUrl": [m.LINK_INVALID]},
    ),
    Rule(
        "employer website not absolute",
        {"employerWebsiteUrl": "acme.example"},
        {"EmployerWebsiteUrl": [m.WEBSITE_NOT_ABSOLUTE]},
    ),
    Rule(
        "employer website an IP address",
        {"employerWebsiteUrl": "http://192.168.0.1/jobs"},
        {"EmployerWebsiteUrl": [m.WEBSITE_NOT_ABSOLUTE]},
    ),
    Rule(
        "contact name too long",
        {"submitterContactDetails.name": "x" * 101},
        {"Contact.Name": [m.CONTACT_NAME_TOO_LONG]},
    ),
    Rule(
        "contact name characters",
        {"submitterContactDetails.name": "<Sam>"},
        {"Contact.Name": [m.CONTACT_NAME_INVALID]},
    ),
    Rule(
        "email format",
        {"submitterContactDetails.email": "sam@"},
        {"Contact.Email": [m.EMAIL_INVALID]},
    ),
    Rule(
        "email too long",
        {"submitterContactDetails.email": "s@" + "a" * 91 + ".example"},
        {"Contact.Email": [m.EMAIL_TOO_LONG]},
    ),
    Rule(
        "email characters",
        {"submitterContactDetails.email": "sam{x}@acme.example"},
        {"Contact.Email": [m.EMAIL_INVALID_CHARACTERS, m.EMAIL_INVALID]},
    ),
    Rule(
        "phone too short",
        {"submitterContactDetails.phone": "12"},
        {"Contact.Phone": [m.PHONE_TOO_SHORT, m.PHONE_INVALID]},
    ),
    Rule(
        "phone too long",
        {"submitterContactDetails.phone": "+44 (113) 496-000"},
        {"Contact.Phone": [m.PHONE_TOO_LONG, m.PHONE_INVALID]},
    ),
    Rule(
        "phone characters",
        {"submitterContactDetails.phone": "0113 496000x"},
        {"Contact.Phone": [m.PHONE_INVALID]},
    ),
    Rule("skills missing", {"skills": ...}, {"Skills": [m.SKILLS_REQUIRED]}),
    Rule("skills empty", {"skills": []}, {"Skills": [m.SKILLS_REQUIRED]}),
    Rule("skill too long", {"skills": ["x" * 31]}, {"Skills[0]": [m.SKILL_TOO_LONG]}),
    Rule("skill blank", {"skills": ["Patience", " "]}, {"Skills[1]": [m.SKILL_EMPTY]}),
    Rule("skill null", {"skills": [None]}, {"Skills[0]": [m.SKILL_EMPTY]}),
    Rule("skill characters", {"skills": ["C++ <fast>"]}, {"Skills[0]": [m.SKILL_INVALID]}),
    Rule(
        "qualification type missing",
        q(qualificationType=...),
        {"Qualifications[0].QualificationType": [m.QUALIFICATION_TYPE_REQUIRED]},
    ),
    Rule(
        "qualification type unknown",
        q(qualificationType="NVQ"),
        {"Qualifications[0].QualificationType": [m.QUALIFICATION_TYPE_INVALID]},
    ),
    Rule(
        "BTEC without level",
        q(qualificationType="BTEC"),
        {"Qualifications[0].Level": [m.QUALIFICATION_LEVEL_REQUIRED]},
    ),
    Rule(
        "subject missing",
        q(subject=""),
        {"Qualifications[0].Subject": [m.QUALIFICATION_SUBJECT_REQUIRED]},
    ),
    Rule(
        "subject too long and with bad characters",
        q(subject="{" + "x" * 50),
        {
            "Qualifications[0].Subject": [
                m.QUALIFICATION_SUBJECT_TOO_LONG,
                m.QUALIFICATION_SUBJECT_INVALID,
            ]
        },
    ),
    Rule(
        "grade missing", q(grade=...), {"Qualifications[0].Grade": [m.QUALIFICATION_GRADE_REQUIRED]}
    ),
    Rule(
        "grade too long",
        q(grade="x" * 31),
        {"Qualifications[0].Grade": [m.QUALIFICATION_GRADE_TOO_LONG]},
    ),
    Rule(
        "grade characters",
        q(grade="A* {or} B"),
        {"Qualifications[0].Grade": [m.QUALIFICATION_GRADE_INVALID]},
    ),
    Rule(
        "other qualification without name",
        q(qualificationType="Other"),
        {"Qualifications[0].OtherQualificationName": [m.OTHER_QUALIFICATION_REQUIRED]},
    ),
    Rule(
        "application url with Find an apprenticeship",
        {"applicationUrl": "https://jobs.acme.example"},
        {"ApplicationUrl": [m.APPLICATION_URL_NOT_ALLOWED]},
    ),
    Rule(
        "application instructions with Find an apprenticeship",
        {"applicationInstructions": "Send a CV"},
        {"ApplicationInstructions": [m.APPLICATION_INSTRUCTIONS_NOT_ALLOWED]},
    ),
    Rule(
        "application url missing",
        EXTERNAL,
        {"ApplicationUrl": [m.APPLICATION_URL_REQUIRED]},
    ),
    Rule(
        "application url too long",
        {**EXTERNAL, "applicationUrl": "https://" + "a" * 1985 + ".example"},
        {"ApplicationUrl": [m.APPLICATION_URL_TOO_LONG]},
    ),
    Rule(
        "application url not a link",
        {**EXTERNAL, "applicationUrl": "jobs page"},
        {"ApplicationUrl": [m.LINK_INVALID]},
    ),
    Rule(
        "application url not http",
        {**EXTERNAL, "applicationUrl": "ftp://jobs.acme.example"},
        {"ApplicationUrl": [m.WEBSITE_NOT_ABSOLUTE]},
    ),
    Rule(
        "application instructions too long",
        {**EXTERNAL_URL, "applicationInstructions": "x" * 501},
        {"ApplicationInstructions": [m.APPLICATION_INSTRUCTIONS_TOO_LONG]},
    ),
    Rule(
        "application instructions characters",
        {**EXTERNAL_URL, "applicationInstructions": "Send a {CV}"},
        {"ApplicationInstructions": [m.APPLICATION_INSTRUCTIONS_INVALID]},
    ),
    # -- 6. Rules of ours, where the real service has none or answers with a 500 -----------
    Rule(
        "no location",
        {"address": ...},
        {"Address": [m.LOCATION_REQUIRED]},
    ),
    Rule(
        "two locations",
        NATIONAL,
        {"": [m.LOCATION_ONE_ONLY]},
    ),
    Rule(
        "disabilityConfident missing",
        {"disabilityConfident": ...},
        {"DisabilityConfident": [m.DISABILITY_REQUIRED]},
    ),
    Rule(
        "applicationMethod missing",
        {"applicationMethod": ...},
        {"ApplicationMethod": [m.APPLICATION_METHOD_REQUIRED]},
    ),
    Rule(
        "ukprn missing for an employer",
        {"contractingParties.ukprn": ...},
        {"ContractingParties.Ukprn": [m.UKPRN_REQUIRED]},
    ),
    Rule(
        "ukprn not 8 digits",
        {"contractingParties.ukprn": 123},
        {"ContractingParties.Ukprn": [m.UKPRN_FORMAT]},
    ),
    Rule(
        "standardLarsCode not a code",
        {"standardLarsCode": "abc"},
        {"standardLarsCode": [m.STANDARD_INVALID]},
    ),
    Rule(
        "standardLarsCode unknown",
        {"standardLarsCode": 999999},
        {"standardLarsCode": [m.STANDARD_INVALID]},
    ),
    Rule(
        "weekly hours past hundredths",
        {"wage.weeklyHours": 37.255},
        {"Wage.WeeklyHours": [m.WEEKLY_HOURS_DECIMALS]},
    ),
    Rule(
        "fixed wage past pennies",
        {"wage.fixedWageYearlyAmount": "25000.001"},
        {"Wage.FixedWageYearlyAmount": [m.FIXED_WAGE_FORMAT]},
    ),
    Rule(
        "HTML: ul inside p",
        {"description": "<p><ul><li>x</li></ul></p>"},
        {"Description": [f"{FAA_LABEL} must be well-formed HTML. <ul> is not allowed inside <p>."]},
    ),
    Rule(
        "other qualification name too long",
        q(qualificationType="Other", otherQualificationName="x" * 101),
        {"Qualifications[0].OtherQualificationName": [m.OTHER_QUALIFICATION_TOO_LONG]},
    ),
    Rule(
        "a qualification null",
        {"qualifications": [None]},
        {"Qualifications[0]": [m.QUALIFICATION_REQUIRED]},
    ),
    Rule(
        "questions with an external site",
        {**EXTERNAL_URL, "additionalQuestion2": "Why?"},
        {"AdditionalQuestion2": [m.QUESTION_NOT_ALLOWED]},
    ),
    Rule(
        "another provider's UKPRN",
        {"contractingParties.ukprn": 10000003},
        {"ContractingParties.Ukprn": [m.UKPRN_NOT_CALLER]},
        key="provider_sandbox",
    ),
]


async def send(world: Recruiting, body: Any, key: str) -> tuple[str, Any]:
    """Send ``body`` as JSON with Python's default separators; the text sent and the
    answer."""
    raw = json.dumps(body)
    response = await world.post(None, key=key, raw=raw.encode())
    return raw, response


async def test_each_row_names_a_rule_once() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
async def test_R1_each_rule_is_keyed_and_worded_as_the_real_service(
    world: Recruiting, rule: Rule
) -> None:
    raw, response = await send(world, rule.body(world.legal_entity), rule.key)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["title"] == "One or more validation errors occurred."
    expected = rule.errors(raw) if callable(rule.errors) else rule.errors
    assert body["errors"] == expected


async def test_R1_the_valid_advert_of_the_table_is_accepted(world: Recruiting) -> None:
    for key in ("employer_sandbox", "provider_sandbox"):
        response = await world.post(
            valid_body(world.legal_entity, ukprn=None if "provider" in key else 10000001), key=key
        )
        assert response.status_code == 201, response.text


async def test_R1_a_value_that_cannot_be_read_says_where_it_is(world: Recruiting) -> None:
    # System.Text.Json counts lines from 0 and bytes (UTF-8) within the line, and points
    # just after the value.
    body = valid_body(world.legal_entity)
    body["title"] = "Apprentice café"
    text = json.dumps(body, indent=1, ensure_ascii=False).replace(
        '"numberOfPositions": 2', '"numberOfPositions": "two"'
    )
    response = await world.post(None, key="employer_sandbox", raw=text.encode())
    line = text.split("\n").index(' "numberOfPositions": "two",')
    assert response.json()["errors"] == {
        "$.numberOfPositions": [m.not_converted("System.Int32", "$.numberOfPositions", line, 27)]
    }


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (b"", {"": [m.BODY_EMPTY]}),
        (b"  ", {"": [m.BODY_EMPTY]}),
        (b"null", {"": [m.BODY_EMPTY]}),
        (b"[1, 2]", {"$": [m.not_converted(MODELS + "CreateVacancyRequest", "$", 0, 1)]}),
        (b' "text"', {"$": [m.not_converted(MODELS + "CreateVacancyRequest", "$", 0, 7)]}),
        (b"{not json", {"$": [m.BODY_NOT_JSON]}),
    ],
)
async def test_T3_a_body_that_is_not_an_advert_is_answered_as_the_real_service(
    world: Recruiting, raw: bytes, errors: dict[str, list[str]]
) -> None:
    response = await world.post(None, key="employer_sandbox", raw=raw)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == errors


async def test_T3_property_names_match_in_any_case_and_numbers_may_be_strings(
    world: Recruiting,
) -> None:
    body = valid_body(world.legal_entity)
    body["TITLE"] = body.pop("title")
    body["Wage"] = body.pop("wage")
    body["Wage"]["WEEKLYHOURS"] = body["Wage"].pop("weeklyHours")
    body["numberOfPositions"] = "3"
    body["Wage"]["duration"] = "18"
    body["Wage"]["fixedWageYearlyAmount"] = "25000.50"
    body["contractingParties"]["UKPRN"] = str(body["contractingParties"].pop("ukprn"))
    response = await world.post(body, key="employer_sandbox")
    assert response.status_code == 201, response.text
    assert response.json() == {"vacancyReference": "1000000001"}

    # Errors are keyed by the real service's property paths, whatever the spelling; a value
    # that cannot be read, by its path as sent.
    body["Wage"]["WEEKLYHOURS"] = "15"
    body["numberOfPositions"] = "3.0"
    raw, response = await send(world, body, "employer_sandbox")
    assert response.json()["errors"] == {
        "Wage.WeeklyHours": [m.WEEKLY_HOURS_TOO_FEW],
        **unreadable("$.numberOfPositions", "System.Int32", '"numberOfPositions": "3.0"')(raw),
    }


async def test_T3_a_repeated_property_takes_its_last_value(world: Recruiting) -> None:
    raw = json.dumps(valid_body(world.legal_entity))
    raw = raw.replace('"title": ', '"Title": "Software developer", "title": ', 1)
    response = await world.post(None, key="employer_sandbox", raw=raw.encode())
    assert response.status_code == 201, response.text
    raw = raw.replace(
        '"Title": "Software developer", "title": ', '"title": "x", "TITLE": "Dev", "title": '
    )
    response = await world.post(None, key="employer_sandbox", raw=raw.encode())
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("code", ["2", 2, " 2 ", "0002"], ids=repr)
async def test_R3_standard_lars_code_is_a_string_or_a_number(
    world: Recruiting, code: str | int
) -> None:
    body = changed(valid_body(world.legal_entity), "standardLarsCode", code)
    response = await world.post(body, key="employer_sandbox")
    assert response.status_code == 201, response.text


# Each enum property, a value by name and by its number in the real C# enum, and another
# value of it that the rest of the advert allows.
ENUMS: list[tuple[str, dict[str, Any], list[tuple[Any, Any]]]] = [
    (
        "wage.wageType",
        {"wage.fixedWageYearlyAmount": ...},
        [
            (1, "NationalMinimumWageForApprentices"),
            (2, "NationalMinimumWage"),
            (3, "CompetitiveSalary"),
        ],
    ),
    ("wage.durationUnit", {"wage.duration": 2}, [(1, "Year")]),
    (
        "employerNameOption",
        {"alternativeEmployerName": "Acme Robotics"},
        [(0, "RegisteredName"), (1, "TradingName")],
    ),
    ("disabilityConfident", {}, [(0, "No"), (1, "Yes")]),
    ("qualifications.0.weighting", {}, [(0, "Essential"), (1, "Desired")]),
    ("applicationMethod", {"additionalQuestion1": ...}, [(0, "ThroughFindAnApprenticeship")]),
]


@pytest.mark.parametrize(("path", "context", "values"), ENUMS, ids=[e[0] for e in ENUMS])
async def test_R4_enums_are_names_in_any_case_or_the_real_enums_numbers(
    world: Recruiting, path: str, context: dict[str, Any], values: list[tuple[Any, Any]]
) -> None:
    base = valid_body(world.legal_entity)
    for change, value in context.items():
        base = changed(base, change, value)
    for number, name in values:
        for sent in (number, str(number), name, name.upper(), f" {name.lower()} "):
            response = await world.post(changed(base, path, sent), key="employer_sandbox")
            assert response.status_code == 201, (sent, response.text)
