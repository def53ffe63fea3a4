"""Every limit on a new advert's fields, declared once.

``schemas.py`` publishes them in the Recruitment API's OpenAPI document, ``validation.py``
holds adverts to them and ``messages.py`` quotes them. ``tests/recruitment/
test_published_schema.py`` checks, field by field, that the validator holds exactly the
limits the published document states. The values are the real service's (das-recruit).
Lengths count UTF-16 code units, as .NET does (``vacancies.html.submitted_length``).
"""

from __future__ import annotations

from decimal import Decimal

MAX_TITLE_LENGTH = 100
MIN_POSITIONS = 1
MIN_CLOSING_DAYS = 7  # the closing date is at least this many days after today (UTC)
MIN_LARS_CODE = 1

UKPRN_DIGITS = 8
MIN_UKPRN, MAX_UKPRN = 10 ** (UKPRN_DIGITS - 1), 10**UKPRN_DIGITS - 1

MIN_WEEKLY_HOURS, MAX_WEEKLY_HOURS = Decimal(16), Decimal(48)
# Below this many hours a week an apprenticeship lasts proportionally longer.
FULL_TIME_HOURS = Decimal(30)
MIN_DURATION_MONTHS = 8
# The smallest duration on its own; in months it must also reach MIN_DURATION_MONTHS.
MIN_DURATION = 1
MAX_WAGE_INFORMATION_LENGTH = 500
MAX_COMPANY_BENEFITS_LENGTH = 500
MAX_WORKING_WEEK_LENGTH = 250

MIN_ADDRESSES, MAX_ADDRESSES = 2, 10
MAX_ADDRESS_LINE_LENGTH = 100
MAX_NATIONAL_DETAILS_LENGTH = 500

MIN_SHORT_DESCRIPTION_LENGTH, MAX_SHORT_DESCRIPTION_LENGTH = 50, 350
# description, outcomeDescription, trainingDescription, additionalTrainingDescription,
# thingsToConsider and employerDescription.
MAX_DESCRIPTION_LENGTH = 4000

MAX_EMPLOYER_NAME_LENGTH = 100  # a trading name, or an anonymous employer's description
MAX_ANONYMOUS_REASON_LENGTH = 200
MAX_WEBSITE_LENGTH = 100

MAX_CONTACT_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 100
MIN_PHONE_LENGTH, MAX_PHONE_LENGTH = 8, 16

MAX_SKILL_LENGTH = 30
MIN_QUALIFICATION_LEVEL, MAX_QUALIFICATION_LEVEL = 1, 7
MAX_SUBJECT_LENGTH = 50
MAX_GRADE_LENGTH = 30
MAX_QUALIFICATION_NAME_LENGTH = 100

MAX_APPLICATION_URL_LENGTH = 2000
MAX_APPLICATION_INSTRUCTIONS_LENGTH = 500
MAX_QUESTION_LENGTH = 250
