"""What the submitter of an advert is told when it is reviewed or closed. The submitter
is the contact the Recruitment API caller named (``submitterContactDetails``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Advert:
    """What every email names: the advert and who it is for."""

    reference: int
    title: str
    employer: str
    submitter_name: str

    @property
    def named(self) -> str:
        return f'"{self.title}" (VAC{self.reference}) for {self.employer}'

    @property
    def hello(self) -> str:
        return f"Hello {self.submitter_name},\n\n" if self.submitter_name else "Hello,\n\n"


def long_date(day: date) -> str:
    """GOV.UK style: 5 June 2026."""
    return f"{day.day} {day:%B %Y}"


def _quoted(reason: str) -> str:
    return f"The reason given:\n\n    {reason}\n\n"


def approved(advert: Advert, closing_date: date) -> Email:
    return Email(
        f"Your advert VAC{advert.reference} is live",
        f"{advert.hello}"
        f"Your apprenticeship advert {advert.named} has been approved. It is live now, "
        f"and it stays live until its closing date, {long_date(closing_date)}.\n",
    )


def rejected(advert: Advert, reason: str) -> Email:
    return Email(
        f"Your advert VAC{advert.reference} was rejected",
        f"{advert.hello}"
        f"Your apprenticeship advert {advert.named} was not approved and will not be "
        "published.\n\n"
        f"{_quoted(reason)}"
        "You can correct it and create it again as a new advert.\n",
    )


def employer_approved(advert: Advert) -> Email:
    return Email(
        f"Your advert VAC{advert.reference} was approved by the employer",
        f"{advert.hello}"
        f"The employer approved your apprenticeship advert {advert.named}. It now waits "
        "for the platform's reviewers, and we will email you again when they have "
        "reviewed it.\n",
    )


def employer_rejected(advert: Advert, reason: str) -> Email:
    return Email(
        f"Your advert VAC{advert.reference} was rejected by the employer",
        f"{advert.hello}"
        f"The employer did not approve your apprenticeship advert {advert.named}, so it "
        "will not be published.\n\n"
        f"{_quoted(reason)}"
        "You can correct it and create it again as a new advert.\n",
    )


def closed(advert: Advert, on: date) -> Email:
    return Email(
        f"Your advert VAC{advert.reference} has closed",
        f"{advert.hello}"
        f"Your apprenticeship advert {advert.named} was closed early on {long_date(on)}. "
        "It no longer appears in searches and candidates can no longer find it.\n",
    )
