"""An advert as its public page shows it: the Display advert API's version 2 detail
shape (so the page shows exactly what the API shows, anonymous employers included),
put into words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup

from apprenticeships.vacancies.html import check_html
from apprenticeships.vacancies.schemas import (
    Address,
    VacancyDetailV2,
    WageType,
    WageUnit,
)

WAGE_TYPES = {
    WageType.APPRENTICESHIP_MINIMUM: "National Minimum Wage for apprentices",
    WageType.NATIONAL_MINIMUM: "National Minimum Wage",
    WageType.COMPETITIVE_SALARY: "Competitive salary",
}
WAGE_UNITS = {
    WageUnit.ANNUALLY: " a year",
    WageUnit.MONTHLY: " a month",
    WageUnit.WEEKLY: " a week",
}
LEVEL_NAMES = {
    2: "GCSE",
    3: "A level",
    4: "higher national certificate (HNC)",
    5: "foundation degree",
}
LEVEL_NAMES |= {6: "bachelor's degree", 7: "master's degree"}
# The four tags advert HTML may hold, each given its GOV.UK style.
_STYLED = (
    ("<p>", '<p class="govuk-body">'),
    ("<ul>", '<ul class="govuk-list govuk-list--bullet">'),
)


def advert_html(value: str | None) -> Markup:
    """An advert's HTML field, safe to put on the page.

    Stored values are only ever ``p``, ``br``, ``ul`` and ``li`` around escaped text
    (``vacancies/html.py``); the value is checked again here all the same, and shown as
    plain text if it is not exactly that."""
    if not value:
        return Markup("")
    checked = check_html(value)
    if checked.html is None:
        return Markup('<p class="govuk-body">{}</p>').format(value)
    styled = checked.html
    for plain, with_class in _STYLED:
        styled = styled.replace(plain, with_class)
    if not styled.startswith(("<p", "<ul")):
        # Bare text (a short description often is): a paragraph of its own.
        styled = f'<p class="govuk-body">{styled}</p>'
    # Safe: the markup is our own four tags with no attributes but the classes added
    # above, around text the HTML rule escaped.
    return Markup(styled)  # noqa: S704


def web_link(url: str | None) -> str | None:
    """A link the page may show: an absolute http(s) address, nothing else."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def money(amount: float) -> str:
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = f"£{value:,.2f}"
    return text.removesuffix(".00")


@dataclass(frozen=True, slots=True)
class AdvertPage:
    advert: VacancyDetailV2
    sandbox: bool

    @property
    def reference(self) -> str:
        return f"VAC{self.advert.vacancy_reference}"

    @property
    def wage(self) -> str:
        wage = self.advert.wage
        if wage.wage_type in WAGE_TYPES:
            return WAGE_TYPES[wage.wage_type]
        if wage.wage_amount is None:
            return "Set by the employer"
        return money(wage.wage_amount) + WAGE_UNITS.get(wage.wage_unit, "")

    @property
    def hours(self) -> str:
        hours = self.advert.hours_per_week
        shown = f"{hours:g}"
        return f"{shown} hour{'s' if hours != 1 else ''} a week"

    @property
    def closing(self) -> str:
        return day(self.advert.closing_date)

    @property
    def posted(self) -> str:
        return day(self.advert.posted_date)

    @property
    def start(self) -> str:
        return day(self.advert.start_date)

    @property
    def level(self) -> str:
        level = self.advert.course.level
        equivalent = LEVEL_NAMES.get(level)
        return f"Level {level}" + (f" (equal to {equivalent})" if equivalent else "")

    @property
    def addresses(self) -> list[list[str]]:
        """Each address as its lines (an anonymous employer's: the town and the postcode
        district only, as the API gives them)."""
        return [_lines(address) for address in self.advert.addresses or []]

    @property
    def website(self) -> str | None:
        return web_link(self.advert.employer_website_url)

    @property
    def external_application(self) -> str | None:
        """Where to apply, when that is the employer's own site rather than this page."""
        url = self.advert.application_url
        if url and url != self.advert.vacancy_url:
            return web_link(url)
        return None

    def html(self, value: str | None) -> Markup:
        return advert_html(value)


def _lines(address: Address) -> list[str]:
    lines = [
        address.address_line1,
        address.address_line2,
        address.address_line3,
        address.address_line4,
        address.postcode,
    ]
    return [line for line in lines if line]
