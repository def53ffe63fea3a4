"""Believable, reproducible adverts: who advertises, where, for which course, at what wage.

Every advert is a pure function of its vacancy id, the time it is generated at and the
parties that may place it, so seeding an empty database at the same time gives the same
data, in any order and in chunks of any size. Nothing here touches the database, so the
search benchmark can make millions of adverts the same way as ``demo seed``.

A small share of adverts come from NHS Jobs and Civil Service Jobs (their data source),
placed by the demo's NHS trusts and government departments in their own towns, for the
courses they train, at their pay scales, applied for on those sites.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any

from apprenticeships.catalog.products import Environment
from apprenticeships.demo.organisations import DemoEmployer, DemoLegalEntity
from apprenticeships.referencedata.lists import CANDIDATE_SKILLS
from apprenticeships.referencedata.wages import rates_on
from apprenticeships.vacancies.vocabulary import DataSource

# Changing this changes every generated advert.
SEED = 20_190_401
# About the shares of Find an apprenticeship's adverts that come from NHS Jobs and from
# Civil Service Jobs beside its own. Drawn from a stream of their own, so this service's
# own adverts do not change when these shares do.
SOURCE_SHARES = ((DataSource.NHS, 0.04), (DataSource.CSJ, 0.01))
SOURCE_SEED = 20_250_301

NATIONAL_SHARE = 0.03
MULTIPLE_ADDRESSES_SHARE = 0.05
ANONYMOUS_SHARE = 0.05
TRADING_NAME_SHARE = 0.15
# How far an address may be from its town's centre point.
JITTER_KM = 3.0
KM_PER_DEGREE_LATITUDE = 111.32
# An advert with several addresses has its other sites among this many nearest towns.
NEIGHBOURS = 8

# Letters a postcode's inward code may end with (Royal Mail leaves out C, I, K, M, O, V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

WAGE_TYPES = ("ApprenticeshipMinimum", "NationalMinimum", "Custom", "CompetitiveSalary")
WAGE_TYPE_WEIGHTS = (35, 15, 40, 10)
HOURS = (
    Decimal(30),
    Decimal(32),
    Decimal(35),
    Decimal(36),
    Decimal(37),
    Decimal("37.5"),
    Decimal(38),
    Decimal(39),
    Decimal(40),
)
HOURS_WEIGHTS = (4, 3, 12, 4, 10, 25, 6, 4, 32)
# Typical yearly pay of a new apprentice by level (before the legal floor is applied).
CUSTOM_WAGE_RANGES = {
    2: (16_500, 21_000),
    3: (17_500, 24_000),
    4: (20_000, 27_000),
    5: (21_000, 29_000),
    6: (22_000, 32_000),
    7: (24_000, 36_000),
}
WAGE_STEP = 250
# Months an apprenticeship of each level usually lasts.
DURATIONS = {
    2: (12, 18),
    3: (15, 24),
    4: (18, 30),
    5: (24, 36),
    6: (36, 48),
    7: (36, 48),
}
# Yearly pay of an apprentice on the NHS's Agenda for Change bands (2025/26) and the
# Civil Service's grades (typical departmental rates), by the course's level.
NHS_PAY: Mapping[int, tuple[str, int]] = {
    2: ("Band 2", 24_937),
    3: ("Band 3", 24_937),
    4: ("Band 3", 26_598),
    5: ("Band 4", 27_485),
    6: ("Band 4", 27_485),
    7: ("Band 5", 31_049),
}
CIVIL_SERVICE_PAY: Mapping[int, tuple[str, int]] = {
    2: ("Administrative Officer", 24_500),
    3: ("Administrative Officer", 25_500),
    4: ("Executive Officer", 28_000),
    5: ("Executive Officer", 29_500),
    6: ("Higher Executive Officer", 33_000),
    7: ("Higher Executive Officer", 35_000),
}
POSITIONS = (1, 2, 3, 4, 5, 10)
POSITIONS_WEIGHTS = (70, 14, 7, 3, 4, 2)

ROUTE_DUTIES: Mapping[str, tuple[str, ...]] = {
    "Agriculture, environmental and animal care": (
        "looking after land, plants or animals to a high standard",
        "maintaining tools, equipment and machinery safely",
        "working outdoors in all weathers as part of a small team",
        "following biosecurity and health and safety procedures",
    ),
    "Business and administration": (
        "managing diaries, inboxes and meeting arrangements",
        "keeping records and databases accurate and up to date",
        "preparing reports and presentations for managers",
        "answering queries from colleagues and customers",
    ),
    "Care services": (
        "supporting people with personal care, meals and medication",
        "helping the people we support stay independent and part of their community",
        "writing care notes and sharing information with the team",
        "building trusting relationships with residents and their families",
    ),
    "Catering and hospitality": (
        "preparing fresh food to our recipes and presentation standards",
        "welcoming guests and making sure they have a great experience",
        "keeping the kitchen clean, safe and well stocked",
        "working as part of a busy team during service",
    ),
    "Construction and the built environment": (
        "working alongside experienced tradespeople on live sites",
        "reading drawings, measuring and marking out accurately",
        "using hand and power tools safely",
        "keeping the site tidy and following health and safety rules",
    ),
    "Creative and design": (
        "developing ideas from a brief through to finished work",
        "working with clients and colleagues to refine designs",
        "looking after specialist tools, materials and equipment",
        "building a portfolio of your work",
    ),
    "Digital": (
        "writing, testing and reviewing code with the rest of the team",
        "working with data to answer questions from the business",
        "supporting users and fixing problems as they come up",
        "documenting what you build so others can use it",
    ),
    "Education and early years": (
        "planning and leading activities that help children learn and develop",
        "observing progress and keeping learning records",
        "working with parents, carers and colleagues",
        "keeping children safe and following safeguarding procedures",
    ),
    "Engineering and manufacturing": (
        "carrying out planned maintenance and fault finding on equipment",
        "reading technical drawings and specifications",
        "working to quality and safety standards on the shop floor",
        "using hand tools and machinery under supervision",
    ),
    "Hair and beauty": (
        "greeting clients and carrying out consultations",
        "providing treatments under the guidance of senior colleagues",
        "keeping the salon clean, safe and welcoming",
        "building a loyal client base",
    ),
    "Health and science": (
        "supporting patients and clinical teams with day-to-day care",
        "taking and recording observations accurately",
        "following infection prevention and control procedures",
        "working with a multidisciplinary team",
    ),
    "Legal, finance and accounting": (
        "preparing accounts, reconciliations and management information",
        "researching and drafting documents for senior colleagues",
        "helping clients with their queries",
        "using specialist software and spreadsheets",
    ),
    "Protective services": (
        "carrying out checks and risk assessments",
        "writing clear and accurate reports",
        "working closely with colleagues and partner organisations",
        "keeping people and property safe",
    ),
    "Sales, marketing and procurement": (
        "helping customers find the right products and services",
        "keeping stock, displays and records in order",
        "supporting campaigns and promotions",
        "working towards sales and service targets with the team",
    ),
    "Transport and logistics": (
        "receiving, storing and dispatching goods accurately",
        "planning routes and loads with the transport office",
        "carrying out vehicle and equipment checks",
        "working safely in a busy operational environment",
    ),
}
GENERAL_DUTIES = (
    "learning from experienced colleagues",
    "following health and safety procedures",
    "taking part in team meetings and reviews",
    "helping customers and colleagues with their questions",
)

ROUTE_SKILLS: Mapping[str, tuple[str, ...]] = {
    "Agriculture, environmental and animal care": ("Physical fitness", "Patience", "Initiative"),
    "Business and administration": ("Administrative skills", "Organisation skills", "IT skills"),
    "Care services": ("Patience", "Non judgemental", "Communication skills"),
    "Catering and hospitality": ("Customer care skills", "Team working", "Creative"),
    "Construction and the built environment": (
        "Physical fitness",
        "Number skills",
        "Attention to detail",
    ),
    "Creative and design": ("Creative", "Attention to detail", "Presentation skills"),
    "Digital": ("IT skills", "Logical", "Problem solving skills", "Analytical skills"),
    "Education and early years": ("Patience", "Communication skills", "Creative"),
    "Engineering and manufacturing": ("Problem solving skills", "Number skills", "Logical"),
    "Hair and beauty": ("Customer care skills", "Creative", "Communication skills"),
    "Health and science": ("Non judgemental", "Patience", "Attention to detail"),
    "Legal, finance and accounting": ("Number skills", "Analytical skills", "Attention to detail"),
    "Protective services": ("Physical fitness", "Communication skills", "Initiative"),
    "Sales, marketing and procurement": (
        "Customer care skills",
        "Communication skills",
        "Presentation skills",
    ),
    "Transport and logistics": ("Organisation skills", "Physical fitness", "Attention to detail"),
}

TRAINING_MODES = (
    "Training is one day a week at the provider's nearest campus.",
    "Training is in week-long blocks at the provider, about once every two months.",
    "Training is mostly online, with a skills coach visiting you at work every few weeks.",
    "You'll spend your first six weeks at the provider's training centre, then one day a fortnight.",
)
OUTCOMES = (
    "Apprentices who complete the programme are offered a permanent role as {job}.",
    "A permanent job as {job} for everyone who completes the apprenticeship, "
    "and support to keep progressing.",
    "On completion you'll be fully qualified as {job}, with the chance of a permanent role.",
)
THINGS_TO_CONSIDER = (
    "The site is not on a bus route, so you'll need your own way of getting to work.",
    "You'll need to travel to your training provider for some of your training.",
    "Some early starts or late finishes may be needed at busy times.",
    "References and right-to-work checks are needed before you start.",
)
BENEFITS = (
    "25 days' holiday plus bank holidays",
    "Company pension scheme",
    "Free parking",
    "Free meals on shift",
    "Cycle to work scheme",
    "Staff discount",
    "Paid volunteering days",
    "Employee assistance programme",
)
WAGE_NOTES = {
    "ApprenticeshipMinimum": (
        "If you're 19 or over, your pay rises to the National Minimum Wage for your age "
        "after your first year.",
        "Pay is reviewed every six months.",
    ),
    "NationalMinimum": ("Overtime is paid at time and a half.",),
    "Custom": (
        "Your pay rises when you pass the end-point assessment.",
        "Pay is reviewed after your first year.",
        "Plus an annual bonus linked to company performance.",
    ),
    "CompetitiveSalary": ("Salary depends on experience and qualifications.",),
}
NATIONAL_DETAILS = (
    "We have sites across England and will place you at the one nearest to where you live.",
    "This is a field-based role covering customers across England; "
    "you'll travel from home and stay away some nights.",
    "Choose the site you'd like to work at when you apply: we recruit in every region of England.",
)
ANONYMOUS_REASONS = (
    "The employer does not want to be contacted directly by applicants.",
    "The employer is reorganising and will share its name at interview.",
    "The employer prefers to stay anonymous until interview.",
)
ESTATES = (
    "Riverside Business Park",
    "Enterprise Park",
    "Meadow Industrial Estate",
    "Canal Side Trading Estate",
    "Station Business Centre",
)
CONTACT_FIRST_NAMES = (
    "Amelia",
    "Priya",
    "Hannah",
    "Grace",
    "Sophie",
    "Aisha",
    "Chloe",
    "Megan",
    "Oliver",
    "Jack",
    "Harry",
    "Mohammed",
    "Daniel",
    "Thomas",
    "Ryan",
    "Kwame",
)
CONTACT_LAST_NAMES = (
    "Hughes",
    "Patel",
    "Clarke",
    "Walsh",
    "Begum",
    "Turner",
    "Okafor",
    "Kaur",
    "Fletcher",
    "Dawson",
    "Nowak",
    "Harris",
    "Ellis",
    "Mensah",
)
# Ofcom keeps these ranges for drama and examples, so they never ring anyone.
CONTACT_PHONE_PREFIXES = ("020 7946 0", "0113 496 0", "0121 496 0", "0161 496 0", "07700 900")
SMALL_WORDS = frozenset({"a", "an", "and", "as", "for", "in", "of", "on", "or", "the", "to"})


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    county: str
    region: str
    latitude: float
    longitude: float
    population: int
    outcodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """An active standard the demo may advertise."""

    lars_code: int
    title: str
    level: int
    route: str


@dataclass(frozen=True, slots=True)
class AdvertParty:
    """Who may place an advert: a legal entity of an employer, with the courses that
    employer offers and the providers it may name (database ids)."""

    employer: DemoEmployer
    employer_id: int
    legal_entity: DemoLegalEntity
    legal_entity_id: int
    provider_ids: tuple[int, ...]
    courses: tuple[Course, ...]


@cache
def towns() -> tuple[Town, ...]:
    """The shipped English towns, largest first."""
    data = json.loads(resources.files(__package__).joinpath("data/towns.json").read_text("utf-8"))
    return tuple(
        Town(
            name=str(item["name"]),
            county=str(item["county"]),
            region=str(item["region"]),
            latitude=float(item["latitude"]),
            longitude=float(item["longitude"]),
            population=int(item["population"]),
            outcodes=tuple(str(code) for code in item["outcodes"]),
        )
        for item in data
    )


@cache
def streets() -> tuple[str, ...]:
    data = json.loads(resources.files(__package__).joinpath("data/streets.json").read_text("utf-8"))
    return tuple(str(name) for name in data)


def courses_for(employer: DemoEmployer, available: Sequence[Course]) -> tuple[Course, ...]:
    """The courses an employer advertises, or every course if none of its own is active
    (an operator's import may have withdrawn them)."""
    chosen = tuple(
        course
        for course in available
        if (course.route in employer.routes or course.lars_code in employer.extra_lars)
        and course.lars_code not in employer.excluded_lars
    )
    return chosen or tuple(available)


def job_title(standard_title: str) -> str:
    """A standard's title as a job: a trailing qualifier dropped and the words
    title-cased, leaving acronyms such as HR and LGV alone ("Supply chain practitioner
    (fast-moving consumer goods (FMCG))" becomes "Supply Chain Practitioner")."""
    if standard_title.endswith(")") and " (" in standard_title:
        standard_title = standard_title[: standard_title.index(" (")]
    words = standard_title.split()
    return " ".join(
        word
        if any(c.isupper() for c in word) or (i > 0 and word in SMALL_WORDS)
        else word[:1].upper() + word[1:]
        for i, word in enumerate(words)
    )


class _WeightedTowns:
    def __init__(self, choices: Sequence[Town]) -> None:
        self.towns = tuple(choices)
        self.cumulative = tuple(accumulate(town.population for town in self.towns))

    def pick(self, rng: random.Random) -> Town:
        point = rng.random() * self.cumulative[-1]
        return self.towns[bisect_right(self.cumulative, point)]


class _WeightedParties:
    """The parties of one data source, each as likely as its employer's weight says; an
    employer's share is split evenly between its legal entities."""

    def __init__(self, parties: Sequence[AdvertParty]) -> None:
        self.parties = tuple(parties)
        entities_per_employer: dict[str, int] = {}
        for party in self.parties:
            account = party.employer.account_id
            entities_per_employer[account] = entities_per_employer.get(account, 0) + 1
        self.cumulative = tuple(
            accumulate(
                party.employer.weight / entities_per_employer[party.employer.account_id]
                for party in self.parties
            )
        )

    def pick(self, rng: random.Random) -> AdvertParty:
        return rng.choices(self.parties, cum_weights=self.cumulative)[0]


class AdvertGenerator:
    """Makes the column values of one advert and its addresses at a time."""

    def __init__(
        self, now: datetime, parties: Sequence[AdvertParty], provider_names: Mapping[int, str]
    ) -> None:
        own = [party for party in parties if party.employer.source is DataSource.RAA]
        if not own:
            raise ValueError("adverts need at least one party of this service's own to place them")
        self.now = now.replace(microsecond=0)
        self.today = now.date()
        self.parties = _WeightedParties(own)
        # Sources without a party to place their adverts have none.
        self.other_sources = {
            source: _WeightedParties(placing)
            for source, _share in SOURCE_SHARES
            if (placing := [party for party in parties if party.employer.source is source])
        }
        self.provider_names = dict(provider_names)
        self.towns_by_name = {town.name: town for town in towns()}
        self.all_towns = _WeightedTowns(towns())
        self.neighbours = {
            town.name: _WeightedTowns(_nearest(town, towns(), NEIGHBOURS)) for town in towns()
        }
        self.streets = streets()

    def advert(
        self, vacancy_id: int, environment: Environment
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Column values for ``VacancyRepository.bulk_insert``: the advert and its
        addresses (none for an advert recruiting nationally)."""
        rng = random.Random((SEED << 32) + vacancy_id)
        source = self._source(vacancy_id)
        if source is not DataSource.RAA:
            return self._external_advert(rng, vacancy_id, environment, source)
        party = self.parties.pick(rng)
        course = rng.choice(party.courses)
        provider_id = rng.choice(party.provider_ids)
        provider_name = self.provider_names[provider_id]
        employer = party.employer
        job = job_title(course.title)

        where = rng.random()
        is_national = where < NATIONAL_SHARE
        if is_national:
            places: list[Town] = []
        elif where < NATIONAL_SHARE + MULTIPLE_ADDRESSES_SHARE:
            places = self._towns(rng, rng.choice((2, 3)))
        else:
            places = self._towns(rng, 1)

        naming = rng.random()
        anonymous = naming < ANONYMOUS_SHARE
        if anonymous:
            name_option, employer_name = "Anonymous", employer.anonymous_name
        elif naming < ANONYMOUS_SHARE + TRADING_NAME_SHARE:
            name_option, employer_name = "TradingName", employer.name
        else:
            name_option, employer_name = "RegisteredName", party.legal_entity.name
        # How the advert's text names the employer: "join a national retailer as ...".
        who = employer_name[:1].lower() + employer_name[1:] if anonymous else employer_name

        posted_at = self.now - timedelta(seconds=rng.randint(600, 60 * 86_400))
        closing_date = self.today + timedelta(days=rng.randint(1, 60))
        start_date = closing_date + timedelta(days=rng.randint(14, 84))
        hours = rng.choices(HOURS, weights=HOURS_WEIGHTS)[0]
        wage_type = rng.choices(WAGE_TYPES, weights=WAGE_TYPE_WEIGHTS)[0]
        wage_amount = (
            _custom_wage(rng, course.level, hours, start_date) if wage_type == "Custom" else None
        )
        shortest, longest = DURATIONS[min(max(course.level, 2), 7)]
        duties = rng.sample(ROUTE_DUTIES.get(course.route, GENERAL_DUTIES), 3)
        town_name = places[0].name if places else None
        contact = None if anonymous or rng.random() < 0.4 else _contact(rng, employer.domain)

        row: dict[str, Any] = {
            "id": vacancy_id,
            "environment": environment,
            "client_id": None,
            "status": "Live",
            "title": _advert_title(rng, job, course.level, town_name),
            "short_description": _short_description(
                rng, job, course.level, who, employer.sector, town_name, provider_name, duties[0]
            ),
            "description": _description(rng, job, who, duties),
            "number_of_positions": rng.choices(POSITIONS, weights=POSITIONS_WEIGHTS)[0],
            "posted_at": posted_at,
            "closing_date": closing_date,
            "start_date": start_date,
            "wage_type": wage_type,
            "wage_amount": wage_amount,
            "wage_unit": "Annually" if wage_type == "Custom" else "Unspecified",
            "wage_additional_information": (
                rng.choice(WAGE_NOTES[wage_type]) if rng.random() < 0.3 else None
            ),
            "working_week_description": _working_week(rng, hours),
            "hours_per_week": hours,
            "duration": rng.randint(shortest, longest),
            "duration_unit": "Month",
            "employer_id": party.employer_id,
            "legal_entity_id": party.legal_entity_id,
            "provider_id": provider_id,
            "employer_name_option": name_option,
            "employer_name": employer_name,
            "anonymous_reason": rng.choice(ANONYMOUS_REASONS) if anonymous else None,
            "employer_description": employer.description,
            "employer_website_url": None if anonymous else f"https://www.{employer.domain}",
            "employer_contact_name": contact[0] if contact else None,
            "employer_contact_email": contact[1] if contact else None,
            "employer_contact_phone": contact[2] if contact else None,
            "lars_code": course.lars_code,
            "is_disability_confident": employer.disability_confident,
            "is_national": is_national,
            "national_details": rng.choice(NATIONAL_DETAILS) if is_national else None,
            "training_description": (
                f"<p>You'll work towards the {course.title} apprenticeship (level "
                f"{course.level}) with {provider_name}. {rng.choice(TRAINING_MODES)} "
                "Off-the-job training is part of your paid working hours.</p>"
            ),
            "additional_training_description": (
                "<p>Functional Skills in English and maths, if you need them.</p>"
                if rng.random() < 0.3
                else None
            ),
            "outcome_description": (
                f"<p>{rng.choice(OUTCOMES).format(job=_with_article(job.lower()))}</p>"
            ),
            "things_to_consider": (
                f"<p>{rng.choice(THINGS_TO_CONSIDER)}</p>" if rng.random() < 0.4 else None
            ),
            "company_benefits_information": _benefits(rng) if rng.random() < 0.6 else None,
            "skills": _skills(rng, course.route),
            "qualifications": _qualifications(rng, course.level),
            "application_method": "ThroughFindAnApprenticeship",
            "application_url": None,
            "application_instructions": None,
            "data_source": DataSource.RAA,
            "created_at": posted_at,
            # Written now: running servers' search indexes take in what changed since
            # they were built, so a past time would keep the advert out of them.
            "updated_at": self.now,
        }
        addresses = [
            self._address(rng, vacancy_id, position, town) for position, town in enumerate(places)
        ]
        return row, addresses

    def _source(self, vacancy_id: int) -> DataSource:
        roll = random.Random((SOURCE_SEED << 32) + vacancy_id).random()
        for source, share in SOURCE_SHARES:
            if roll < share:
                return source if source in self.other_sources else DataSource.RAA
            roll -= share
        return DataSource.RAA

    def _external_advert(
        self, rng: random.Random, vacancy_id: int, environment: Environment, source: DataSource
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An NHS Jobs or Civil Service Jobs advert: named by the trust or department,
        in its towns, paid on its pay scale, applied for on that site."""
        party = self.other_sources[source].pick(rng)
        employer = party.employer
        course = rng.choice(party.courses)
        provider_id = rng.choice(party.provider_ids)
        provider_name = self.provider_names[provider_id]
        level = min(max(course.level, 2), 7)
        job = job_title(course.title)
        nhs = source is DataSource.NHS
        home = [self.towns_by_name[name] for name in employer.towns] or [self.all_towns.pick(rng)]
        sites = 1 if nhs or rng.random() < 0.7 else min(len(home), rng.choice((2, 3)))
        places = rng.sample(home, sites)
        grade, pay = (NHS_PAY if nhs else CIVIL_SERVICE_PAY)[level]
        hours = Decimal("37.5") if nhs else Decimal(37)
        posted_at = self.now - timedelta(seconds=rng.randint(600, 30 * 86_400))
        closing_date = self.today + timedelta(days=rng.randint(1, 30))
        start_date = closing_date + timedelta(days=rng.randint(28, 84))
        shortest, longest = DURATIONS[level]
        duties = rng.sample(ROUTE_DUTIES.get(course.route, GENERAL_DUTIES), 3)
        town = places[0].name
        name = party.legal_entity.name
        role = _with_article(f"{job.lower()} apprentice")
        if nhs:
            # An NHS Jobs reference: the trust's code, the year and a number.
            trust = sum(map(ord, employer.account_id)) % 900 + 100
            reference = f"C9{trust}-{self.today:%y}-{vacancy_id % 10_000:04d}"
            application_url = f"https://www.jobs.nhs.example/candidate/jobadvert/{reference}"
            title = rng.choice((f"Apprentice {job}", f"{job} Apprentice - {grade}"))
            wage_note = f"Agenda for Change {grade}, with a pay step after your first year."
            working_week = (
                "37.5 hours a week, which may include early, late and weekend shifts on a rota."
            )
            apply = "Apply on NHS Jobs: we may close this advert early if we get many applications."
        else:
            application_url = (
                "https://www.civilservicejobs.example/csr/jobs.cgi?"
                f"jcode={1_900_000 + vacancy_id % 100_000}"
            )
            title = rng.choice((f"{job} Apprentice", f"Apprentice {job} ({grade})"))
            wage_note = f"{grade} grade, with a Civil Service pension."
            working_week = "Monday to Friday, 37 hours a week, with flexible working hours."
            apply = "Apply on Civil Service Jobs, where you'll find the full job description."
        contact = _contact(rng, employer.domain) if rng.random() < 0.7 else None
        row: dict[str, Any] = {
            "id": vacancy_id,
            "environment": environment,
            "client_id": None,
            "status": "Live",
            "title": title,
            "short_description": (
                f"Join {name} as {role} in {town}. You'll be {duties[0]} while working "
                f"towards a level {course.level} apprenticeship with {provider_name}."
            ),
            "description": _description(rng, job, name, duties) + f"<p>{apply}</p>",
            "number_of_positions": rng.choices(POSITIONS, weights=POSITIONS_WEIGHTS)[0],
            "posted_at": posted_at,
            "closing_date": closing_date,
            "start_date": start_date,
            "wage_type": "Custom",
            "wage_amount": Decimal(pay),
            "wage_unit": "Annually",
            "wage_additional_information": wage_note,
            "working_week_description": working_week,
            "hours_per_week": hours,
            "duration": rng.randint(shortest, longest),
            "duration_unit": "Month",
            "employer_id": party.employer_id,
            "legal_entity_id": party.legal_entity_id,
            "provider_id": provider_id,
            "employer_name_option": "RegisteredName",
            "employer_name": name,
            "anonymous_reason": None,
            "employer_description": employer.description,
            "employer_website_url": f"https://www.{employer.domain}",
            "employer_contact_name": contact[0] if contact else None,
            "employer_contact_email": contact[1] if contact else None,
            "employer_contact_phone": contact[2] if contact else None,
            "lars_code": course.lars_code,
            "is_disability_confident": employer.disability_confident,
            "is_national": False,
            "national_details": None,
            "training_description": (
                f"<p>You'll work towards the {course.title} apprenticeship (level "
                f"{course.level}) with {provider_name}. {rng.choice(TRAINING_MODES)} "
                "Off-the-job training is part of your paid working hours.</p>"
            ),
            "additional_training_description": None,
            "outcome_description": (
                f"<p>{rng.choice(OUTCOMES).format(job=_with_article(job.lower()))}</p>"
            ),
            "things_to_consider": (
                "<p>Successful applicants need a Disclosure and Barring Service check.</p>"
                if nhs
                else "<p>Successful applicants need Baseline Personnel Security Standard checks.</p>"
            ),
            "company_benefits_information": _benefits(rng),
            "skills": _skills(rng, course.route),
            "qualifications": _qualifications(rng, course.level),
            "application_method": "ThroughExternalApplicationSite",
            "application_url": application_url,
            "application_instructions": None,
            "data_source": source,
            "created_at": posted_at,
            "updated_at": self.now,
        }
        addresses = [
            self._address(rng, vacancy_id, position, town) for position, town in enumerate(places)
        ]
        return row, addresses

    def _towns(self, rng: random.Random, count: int) -> list[Town]:
        """``count`` different towns: the others near the first, as an employer's sites
        in one advert usually are."""
        first = self.all_towns.pick(rng)
        nearby = self.neighbours[first.name]
        chosen = [first]
        while len(chosen) < count:
            town = nearby.pick(rng)
            if town not in chosen:
                chosen.append(town)
        return chosen

    def _address(
        self, rng: random.Random, vacancy_id: int, position: int, town: Town
    ) -> dict[str, Any]:
        street = rng.choice(self.streets)
        if rng.random() < 0.15:
            line1, line2 = f"Unit {rng.randint(1, 40)}, {rng.choice(ESTATES)}", street
        else:
            line1, line2 = f"{rng.randint(1, 250)} {street}", None
        inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        # Uniform over a disc, so addresses do not bunch at the town centre.
        distance = JITTER_KM * math.sqrt(rng.random())
        bearing = rng.random() * 2 * math.pi
        latitude = town.latitude + distance * math.cos(bearing) / KM_PER_DEGREE_LATITUDE
        longitude = town.longitude + distance * math.sin(bearing) / (
            KM_PER_DEGREE_LATITUDE * math.cos(math.radians(town.latitude))
        )
        return {
            "vacancy_id": vacancy_id,
            "position": position,
            "line1": line1,
            "line2": line2,
            "line3": town.name,
            "line4": town.county,
            "postcode": f"{rng.choice(town.outcodes)} {inward}",
            "latitude": round(latitude, 6),
            "longitude": round(longitude, 6),
        }


def _nearest(town: Town, candidates: Sequence[Town], count: int) -> list[Town]:
    def distance_squared(other: Town) -> float:
        north = other.latitude - town.latitude
        east = (other.longitude - town.longitude) * math.cos(math.radians(town.latitude))
        return north * north + east * east

    return sorted((t for t in candidates if t.name != town.name), key=distance_squared)[:count]


def default_sandbox_count(live: int) -> int:
    """The sandbox gets a smaller set: a twentieth of the live adverts, at least 50 (but
    never more than the live set)."""
    return min(live, max(50, live // 20))


def _custom_wage(rng: random.Random, level: int, hours: Decimal, start_date: date) -> Decimal:
    """A yearly wage typical for the level, never below the apprentice minimum in force
    when the apprenticeship starts, for the advert's hours."""
    lowest, highest = CUSTOM_WAGE_RANGES[min(max(level, 2), 7)]
    typical = rng.randrange(lowest, highest + 1, WAGE_STEP)
    floor = rates_on(start_date).apprentice_hourly * hours * 52
    floor_in_steps = math.ceil(floor / WAGE_STEP) * WAGE_STEP
    return Decimal(max(typical, floor_in_steps))


def _with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def _advert_title(rng: random.Random, job: str, level: int, town: str | None) -> str:
    patterns = [
        f"{job} Apprentice",
        f"Apprentice {job}",
        f"Level {level} {job} Apprentice",
        f"{job} Apprenticeship",
    ]
    if town is not None:
        patterns.append(f"{job} Apprentice - {town}")
    return rng.choice(patterns)


def _short_description(
    rng: random.Random,
    job: str,
    level: int,
    who: str,
    sector: str,
    town: str | None,
    provider: str,
    duty: str,
) -> str:
    place = f" in {town}" if town else ""
    role = _with_article(f"{job.lower()} apprentice")
    patterns = (
        f"An exciting opportunity to join {who} as {role}{place}. You'll learn on the job "
        f"while working towards a level {level} apprenticeship with {provider}.",
        f"Looking for a career in {sector}? {who[:1].upper()}{who[1:]} is recruiting "
        f"{role}{place}. You'll spend much of your week {duty}.",
        f"Earn while you learn as {role}{place}. You'll be {duty} and gain a nationally "
        f"recognised level {level} qualification.",
    )
    return rng.choice(patterns)


def _description(rng: random.Random, job: str, who: str, duties: Sequence[str]) -> str:
    items = "".join(f"<li>{duty[:1].upper()}{duty[1:]}</li>" for duty in duties)
    closing = rng.choice(
        (
            "You'll have a mentor from day one and regular reviews with your training provider.",
            "We're looking for someone curious, reliable and keen to learn.",
            "No experience is needed: we'll teach you everything you need to know.",
        )
    )
    return (
        f"<p>Join {who} as {_with_article(job.lower())} apprentice and learn the job "
        "from people who do it every day.</p>"
        f"<p>Day to day, you'll be:</p><ul>{items}</ul><p>{closing}</p>"
    )


def _working_week(rng: random.Random, hours: Decimal) -> str:
    daily = hours / 5
    # Office hours only read naturally when a day is a whole or half number of hours.
    if (daily * 2) % 1 == 0:
        start = rng.choice((8, 9))
        end = Decimal(start) + daily + Decimal("0.5") - 12
        return f"Monday to Friday, {start}am to {_clock(end)}pm, with a 30-minute lunch break."
    # Compressed weeks only where the days stay a sensible length.
    days = rng.choice(("four", "five")) if hours <= 36 else "five"
    return f"{hours.normalize():f} hours a week over {days} days; shift times to be confirmed."


def _clock(hour: Decimal) -> str:
    whole = int(hour)
    return f"{whole}:30" if hour != whole else str(whole)


def _contact(rng: random.Random, domain: str) -> tuple[str, str, str]:
    first = rng.choice(CONTACT_FIRST_NAMES)
    last = rng.choice(CONTACT_LAST_NAMES)
    phone = f"{rng.choice(CONTACT_PHONE_PREFIXES)}{rng.randint(0, 999):03d}"
    return f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}", phone


def _benefits(rng: random.Random) -> str:
    chosen = rng.sample(BENEFITS, rng.randint(2, 4))
    return "<ul>" + "".join(f"<li>{benefit}</li>" for benefit in chosen) + "</ul>"


def _skills(rng: random.Random, route: str) -> list[str]:
    preferred = ROUTE_SKILLS.get(route, ())
    count = rng.randint(3, 6)
    chosen = rng.sample(preferred, min(2, len(preferred)))
    others = [skill for skill in CANDIDATE_SKILLS if skill not in chosen]
    return chosen + rng.sample(others, count - len(chosen))


def _qualifications(rng: random.Random, level: int) -> list[dict[str, str]]:
    if level <= 2 and rng.random() < 0.4:
        return []
    weighting = "Essential" if level >= 3 or rng.random() < 0.5 else "Desired"
    gcse_grade = rng.choice(("4 (C) or above", "5 (C) or above", "4 or above"))
    wanted = [
        {
            "qualificationType": "GCSE",
            "subject": subject,
            "grade": gcse_grade,
            "weighting": weighting,
        }
        for subject in ("English", "Maths")
    ]
    if level >= 4:
        wanted.append(
            {
                "qualificationType": "A Level",
                "subject": "Any subject",
                "grade": rng.choice(("C or above", "BBB", "BBC", "CCC")),
                "weighting": "Essential" if level >= 6 else "Desired",
            }
        )
    return wanted
