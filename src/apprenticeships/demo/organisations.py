"""The fixed cast of the demo: fictional employers, training providers and a developer.

Ids are fixed so that documentation, tests and scripts can name them. The names are
made up to sound real; web sites and email addresses use the reserved ``.example``
top-level domain (RFC 2606), so nobody can register them and nothing sent to them
reaches a real organisation.

Most employers place their adverts through this service. A few NHS trusts and government
departments advertise on NHS Jobs and Civil Service Jobs instead, whose adverts the
Display advert API shows only to callers who ask for them (compatibility.md D16).
"""

from __future__ import annotations

from dataclasses import dataclass

from apprenticeships.vacancies.vocabulary import DataSource

RECRUITMENT = "Recruitment"
RECRUITMENT_REQUIRES_REVIEW = "RecruitmentRequiresReview"
DEVELOPER_EMAIL = "dev@example.com"
DEVELOPER_NAME = "Demo API developer"


@dataclass(frozen=True, slots=True)
class DemoLegalEntity:
    hashed_id: str
    name: str


@dataclass(frozen=True, slots=True)
class DemoEmployer:
    """An employer account and what kind of apprentices it takes on.

    ``routes`` are the occupational routes it advertises in; ``extra_lars`` adds
    standards from other routes and ``excluded_lars`` drops ones it would not offer
    (a care group does not hire personal trainers), so titles fit the employer.
    """

    account_id: str
    name: str
    legal_entities: tuple[DemoLegalEntity, ...]
    # Used as "a career in {sector}" and in the anonymous description.
    sector: str
    anonymous_name: str
    description: str
    domain: str
    routes: tuple[str, ...]
    # How many adverts it places relative to the others.
    weight: int
    disability_confident: bool
    extra_lars: tuple[int, ...] = ()
    excluded_lars: tuple[int, ...] = ()
    # Where its adverts are published; its weight counts among employers of that source.
    source: DataSource = DataSource.RAA
    # The towns it works in (names in data/towns.json); empty for anywhere in England.
    towns: tuple[str, ...] = ()
    # The providers (UKPRNs) that train its apprentices, when no provider recruits for it.
    providers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoProvider:
    ukprn: str
    name: str
    # (legal entity hashed id, permission), in the order the manifest lists them.
    permissions: tuple[tuple[str, str], ...] = ()


EMPLOYERS: tuple[DemoEmployer, ...] = (
    DemoEmployer(
        account_id="MJ7YVK",
        name="Quillfeather Engineering Group",
        legal_entities=(
            DemoLegalEntity("VK7MXB", "Quillfeather Engineering Ltd"),
            DemoLegalEntity("LB9TRD", "Quillfeather Aerospace Components Ltd"),
        ),
        sector="engineering",
        anonymous_name="A leading engineering company",
        description=(
            "<p>Quillfeather designs and builds precision components for the aerospace, "
            "energy and rail industries at six sites across England. Many of our senior "
            "engineers started here as apprentices.</p>"
        ),
        domain="quillfeather.example",
        routes=("Engineering and manufacturing",),
        weight=14,
        disability_confident=True,
        extra_lars=(196, 128),
        excluded_lars=(130, 16, 129, 134, 135, 283, 347, 436),
    ),
    DemoEmployer(
        account_id="BX4DRP",
        name="Larkvale Health and Care",
        legal_entities=(
            DemoLegalEntity("XS4HJP", "Larkvale Care Homes Ltd"),
            DemoLegalEntity("CT8WGN", "Larkvale Community Health Ltd"),
        ),
        sector="health and social care",
        anonymous_name="A well-established care provider",
        description=(
            "<p>Larkvale runs residential care homes and community health services, "
            "supporting more than 3,000 people to live well. We are rated Good by the Care "
            "Quality Commission and invest in training for every member of the team.</p>"
        ),
        domain="larkvale-care.example",
        routes=("Care services", "Health and science"),
        weight=12,
        disability_confident=True,
        extra_lars=(196,),
        excluded_lars=(215, 251, 321),
    ),
    DemoEmployer(
        account_id="HT9KLW",
        name="Tarnbridge Digital",
        legal_entities=(DemoLegalEntity("NY6DFK", "Tarnbridge Digital Ltd"),),
        sector="technology",
        anonymous_name="A fast-growing software company",
        description=(
            "<p>Tarnbridge Digital builds web and mobile services for public-sector and "
            "charity clients. We work in small, friendly teams and pair new starters with "
            "an experienced mentor.</p>"
        ),
        domain="tarnbridge.example",
        routes=("Digital",),
        weight=10,
        disability_confident=False,
        extra_lars=(174, 112, 349, 257),
    ),
    DemoEmployer(
        account_id="GN6CVS",
        name="Copperkettle Hospitality",
        legal_entities=(
            DemoLegalEntity("PW9LMC", "Copperkettle Hotels Ltd"),
            DemoLegalEntity("JR4YBT", "Copperkettle Kitchens Ltd"),
            DemoLegalEntity("FH7SXV", "Copperkettle Spa and Leisure Ltd"),
        ),
        sector="hospitality",
        anonymous_name="A popular hotel and restaurant group",
        description=(
            "<p>Copperkettle runs independent hotels, restaurants and spas, and a central "
            "kitchen that bakes and prepares food for all of them. We promote from within "
            "wherever we can.</p>"
        ),
        domain="copperkettle.example",
        routes=("Catering and hospitality", "Hair and beauty"),
        weight=12,
        disability_confident=False,
        extra_lars=(130, 129, 16, 321, 228, 122),
    ),
    DemoEmployer(
        account_id="PD8RYM",
        name="Bramblegate Construction",
        legal_entities=(
            DemoLegalEntity("TM6KCG", "Bramblegate Construction Ltd"),
            DemoLegalEntity("WD8NRL", "Bramblegate Homes Ltd"),
        ),
        sector="construction",
        anonymous_name="A regional housebuilder",
        description=(
            "<p>Bramblegate builds new homes, schools and community buildings, and looks "
            "after them once they are built. Our apprentices work on live sites from their "
            "first week.</p>"
        ),
        domain="bramblegate.example",
        routes=("Construction and the built environment",),
        weight=12,
        disability_confident=True,
        extra_lars=(128, 260, 94),
    ),
    DemoEmployer(
        account_id="KW7TFB",
        name="Wrenfield Retail Group",
        legal_entities=(
            DemoLegalEntity("GK4PVY", "Wrenfield Stores Ltd"),
            DemoLegalEntity("BS7JHM", "Wrenfield Distribution Ltd"),
        ),
        sector="retail",
        anonymous_name="A national retailer",
        description=(
            "<p>Wrenfield runs more than 200 neighbourhood stores and the distribution "
            "centres that supply them. We are proud of our customer service and of how many "
            "store managers started with us as apprentices.</p>"
        ),
        domain="wrenfield.example",
        routes=("Sales, marketing and procurement", "Transport and logistics"),
        weight=14,
        disability_confident=True,
        extra_lars=(135, 196, 286, 191),
        excluded_lars=(120, 34, 285, 189, 398),
    ),
    DemoEmployer(
        account_id="RV4HJX",
        name="Otterbrook and Finch",
        legal_entities=(DemoLegalEntity("HY9DCW", "Otterbrook and Finch LLP"),),
        sector="law and accountancy",
        anonymous_name="A respected firm of accountants and solicitors",
        description=(
            "<p>Otterbrook and Finch is a firm of chartered accountants and solicitors "
            "advising family businesses, charities and private clients from offices in the "
            "Midlands and the North.</p>"
        ),
        domain="otterbrook-finch.example",
        routes=("Legal, finance and accounting",),
        weight=8,
        disability_confident=False,
        extra_lars=(196, 286),
    ),
    DemoEmployer(
        account_id="SL9BGD",
        name="Fernhollow Estates",
        legal_entities=(
            DemoLegalEntity("MR6TXF", "Fernhollow Estates Ltd"),
            DemoLegalEntity("KG8LBP", "Fernhollow Veterinary Practice Ltd"),
        ),
        sector="land-based work",
        anonymous_name="A country estate and rural business",
        description=(
            "<p>Fernhollow looks after farmland, woodland, gardens and a heritage site open "
            "to visitors, and runs a mixed veterinary practice for the surrounding "
            "area.</p>"
        ),
        domain="fernhollow.example",
        routes=("Agriculture, environmental and animal care",),
        weight=5,
        disability_confident=False,
        extra_lars=(183, 393, 429),
    ),
    DemoEmployer(
        account_id="YC6MNT",
        name="Kestrelmoor Learning Trust",
        legal_entities=(
            DemoLegalEntity("DV4WSN", "Kestrelmoor Learning Trust"),
            DemoLegalEntity("XF9RMJ", "Kestrelmoor Nurseries Ltd"),
        ),
        sector="education",
        anonymous_name="A multi-academy trust",
        description=(
            "<p>Kestrelmoor Learning Trust runs primary and secondary schools and "
            "day nurseries. We believe that every child deserves great teaching, and that "
            "great teachers are made through training.</p>"
        ),
        domain="kestrelmoor.example",
        routes=("Education and early years",),
        weight=7,
        disability_confident=True,
        extra_lars=(232, 395, 196, 215),
    ),
    DemoEmployer(
        account_id="DF8PXH",
        name="Ironhaven Safety Services",
        legal_entities=(
            DemoLegalEntity("CP7GYH", "Ironhaven Security Ltd"),
            DemoLegalEntity("LN6VBD", "Ironhaven Fire and Safety Ltd"),
        ),
        sector="security and safety",
        anonymous_name="A security and fire safety company",
        description=(
            "<p>Ironhaven protects offices, hospitals and industrial sites, and installs "
            "and maintains fire and security systems.</p>"
        ),
        domain="ironhaven.example",
        routes=("Protective services",),
        weight=6,
        disability_confident=False,
        extra_lars=(126,),
        excluded_lars=(108, 256, 282),
    ),
    DemoEmployer(
        account_id="TG7WKC",
        name="Saltmere Travel",
        legal_entities=(DemoLegalEntity("SJ8FKT", "Saltmere Travel Ltd"),),
        sector="transport",
        anonymous_name="A bus, rail and ferry operator",
        description=(
            "<p>Saltmere runs bus, tram, rail and ferry services and the travel centres "
            "that sell their tickets, carrying 80 million passengers a year.</p>"
        ),
        domain="saltmere.example",
        routes=(),
        weight=6,
        disability_confident=True,
        extra_lars=(189, 285, 34, 134, 89, 120, 122),
    ),
    # NHS Jobs: hospital, community and ambulance trusts.
    DemoEmployer(
        account_id="H9KV67",
        name="Northbeck Teaching Hospitals NHS Foundation Trust",
        legal_entities=(
            DemoLegalEntity("R8JS6P", "Northbeck Teaching Hospitals NHS Foundation Trust"),
        ),
        sector="the NHS",
        anonymous_name="An NHS hospital trust",
        description=(
            "<p>Northbeck runs three acute hospitals and a specialist children's hospital in "
            "West Yorkshire, caring for more than a million patients a year.</p>"
        ),
        domain="northbeck.nhs.example",
        routes=(),
        weight=5,
        disability_confident=True,
        extra_lars=(103, 151, 99, 396, 102, 397, 196, 122, 146),
        source=DataSource.NHS,
        towns=("Leeds", "Bradford", "Wakefield", "Huddersfield"),
        providers=("10000002", "10000005"),
    ),
    DemoEmployer(
        account_id="C67LL7",
        name="Severnmoor Hospitals NHS Trust",
        legal_entities=(DemoLegalEntity("D7RL6S", "Severnmoor Hospitals NHS Trust"),),
        sector="the NHS",
        anonymous_name="An NHS hospital trust",
        description=(
            "<p>Severnmoor provides hospital and community services across Bristol, Bath "
            "and Gloucestershire, with 12,000 staff in more than 40 teams.</p>"
        ),
        domain="severnmoor.nhs.example",
        routes=(),
        weight=4,
        disability_confident=True,
        extra_lars=(103, 151, 396, 102, 196, 191, 576),
        source=DataSource.NHS,
        towns=("Bristol", "Bath", "Gloucester", "Cheltenham"),
        providers=("10000002", "10000001"),
    ),
    DemoEmployer(
        account_id="8DVVS6",
        name="Eastwold University Hospitals NHS Foundation Trust",
        legal_entities=(
            DemoLegalEntity("SSK6D6", "Eastwold University Hospitals NHS Foundation Trust"),
        ),
        sector="the NHS",
        anonymous_name="An NHS hospital trust",
        description=(
            "<p>Eastwold is a university teaching trust serving Norfolk, Suffolk and north "
            "Essex, with a busy emergency department and regional cancer centre.</p>"
        ),
        domain="eastwold.nhs.example",
        routes=(),
        weight=4,
        disability_confident=True,
        extra_lars=(103, 151, 99, 396, 102, 397, 122),
        source=DataSource.NHS,
        towns=("Norwich", "Ipswich", "Colchester"),
        providers=("10000002", "10000005"),
    ),
    DemoEmployer(
        account_id="R9GL9R",
        name="Ashcombe Community and Mental Health NHS Trust",
        legal_entities=(
            DemoLegalEntity("8SGRWB", "Ashcombe Community and Mental Health NHS Trust"),
        ),
        sector="the NHS",
        anonymous_name="An NHS community and mental health trust",
        description=(
            "<p>Ashcombe provides community nursing, therapy and mental health services "
            "in people's homes, clinics and inpatient units across Greater Manchester.</p>"
        ),
        domain="ashcombe.nhs.example",
        routes=(),
        weight=3,
        disability_confident=True,
        extra_lars=(103, 151, 102, 425, 196),
        source=DataSource.NHS,
        towns=("Manchester", "Bolton", "Oldham", "Stockport", "Salford"),
        providers=("10000002", "10000005"),
    ),
    DemoEmployer(
        account_id="8SSVCJ",
        name="Thameswick Hospitals NHS Trust",
        legal_entities=(DemoLegalEntity("8RX7S6", "Thameswick Hospitals NHS Trust"),),
        sector="the NHS",
        anonymous_name="An NHS hospital trust",
        description=(
            "<p>Thameswick runs two major hospitals and a network of community clinics in "
            "London, and trains more apprentices than any other trust in the capital.</p>"
        ),
        domain="thameswick.nhs.example",
        routes=(),
        weight=5,
        disability_confident=True,
        extra_lars=(103, 151, 99, 396, 102, 397, 196, 191, 576, 146),
        source=DataSource.NHS,
        towns=("London",),
        providers=("10000002", "10000005"),
    ),
    DemoEmployer(
        account_id="TCNWRL",
        name="Fellside Ambulance Service NHS Foundation Trust",
        legal_entities=(
            DemoLegalEntity("HMSMJG", "Fellside Ambulance Service NHS Foundation Trust"),
        ),
        sector="the NHS",
        anonymous_name="An NHS ambulance service",
        description=(
            "<p>Fellside answers 999 and 111 calls and runs emergency and patient transport "
            "services across the North East of England.</p>"
        ),
        domain="fellside-ambulance.nhs.example",
        routes=(),
        weight=2,
        disability_confident=True,
        extra_lars=(156, 318, 122),
        source=DataSource.NHS,
        towns=("Newcastle upon Tyne", "Sunderland", "Middlesbrough", "Darlington"),
        providers=("10000005", "10000004"),
    ),
    # Civil Service Jobs: government departments and agencies.
    DemoEmployer(
        account_id="DBXD7S",
        name="Department for Skills and Enterprise",
        legal_entities=(DemoLegalEntity("GPNHYM", "Department for Skills and Enterprise"),),
        sector="the Civil Service",
        anonymous_name="A government department",
        description=(
            "<p>The Department for Skills and Enterprise helps people into work and "
            "training and supports small businesses to grow. Our apprentices work on "
            "policy, data and digital services from their first day.</p>"
        ),
        domain="skills-enterprise.gov.example",
        routes=(),
        weight=3,
        disability_confident=True,
        extra_lars=(196, 231, 80, 2, 128, 25),
        source=DataSource.CSJ,
        towns=("London", "Sheffield", "Darlington", "Coventry"),
        providers=("10000003", "10000001"),
    ),
    DemoEmployer(
        account_id="GT78PL",
        name="National Records and Registration Agency",
        legal_entities=(DemoLegalEntity("BH9NL6", "National Records and Registration Agency"),),
        sector="the Civil Service",
        anonymous_name="A government agency",
        description=(
            "<p>The National Records and Registration Agency keeps the public registers "
            "that people and businesses rely on, and answers millions of enquiries a "
            "year.</p>"
        ),
        domain="records-agency.gov.example",
        routes=(),
        weight=2,
        disability_confident=True,
        extra_lars=(196, 122, 576, 80, 133),
        source=DataSource.CSJ,
        towns=("Nottingham", "Plymouth", "Southport"),
        providers=("10000003", "10000001"),
    ),
    DemoEmployer(
        account_id="W7RSHH",
        name="Public Revenue and Customs Service",
        legal_entities=(DemoLegalEntity("XJTNSM", "Public Revenue and Customs Service"),),
        sector="the Civil Service",
        anonymous_name="A government department",
        description=(
            "<p>The Public Revenue and Customs Service collects the taxes that pay for "
            "public services and helps people and businesses get their tax right, from "
            "regional centres across England.</p>"
        ),
        domain="revenue-customs.gov.example",
        routes=(),
        weight=4,
        disability_confident=True,
        extra_lars=(196, 122, 117, 133, 80, 2, 222),
        source=DataSource.CSJ,
        towns=("Leeds", "Manchester", "Birmingham", "Liverpool", "Newcastle upon Tyne"),
        providers=("10000003", "10000004"),
    ),
)

PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider(
        "10000001",
        "Northmere College",
        (
            ("VK7MXB", RECRUITMENT),
            ("LB9TRD", RECRUITMENT),
            ("TM6KCG", RECRUITMENT),
            ("MR6TXF", RECRUITMENT_REQUIRES_REVIEW),
        ),
    ),
    DemoProvider(
        "10000002",
        "Riverstone Training Ltd",
        (
            ("XS4HJP", RECRUITMENT_REQUIRES_REVIEW),
            ("CT8WGN", RECRUITMENT_REQUIRES_REVIEW),
            ("PW9LMC", RECRUITMENT_REQUIRES_REVIEW),
            ("JR4YBT", RECRUITMENT_REQUIRES_REVIEW),
            ("FH7SXV", RECRUITMENT),
        ),
    ),
    DemoProvider(
        "10000003",
        "Pennard Vale Skills Academy",
        (
            ("NY6DFK", RECRUITMENT),
            ("HY9DCW", RECRUITMENT),
            ("GK4PVY", RECRUITMENT),
            ("BS7JHM", RECRUITMENT),
            ("SJ8FKT", RECRUITMENT_REQUIRES_REVIEW),
        ),
    ),
    DemoProvider(
        "10000004",
        "Kingsbrook Institute of Technology",
        (
            ("VK7MXB", RECRUITMENT_REQUIRES_REVIEW),
            ("WD8NRL", RECRUITMENT_REQUIRES_REVIEW),
            ("CP7GYH", RECRUITMENT),
            ("LN6VBD", RECRUITMENT),
        ),
    ),
    # Delivers degree apprenticeships; employers place their own adverts naming it.
    DemoProvider("10000005", "Saxonford University Centre"),
)
