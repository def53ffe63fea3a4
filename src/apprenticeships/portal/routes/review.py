"""Advert review pages.

``/portal/review``: an employer's Owners and Transactors see the adverts a training
provider created for them under ``RecruitmentRequiresReview``, and approve (on to the
platform's reviewers) or reject each. ``/portal/admin/adverts``: platform admins see
submitted adverts and approve (live at once) or reject each. On both, a live advert's
page has "Close advert". Either list finds any of the person's adverts by reference.

Who may do what is decided by the review service in each use case; a page a person may
not use, or an advert that is not theirs, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.errors import Conflict, Forbidden, InvalidInput, NotFound
from apprenticeships.portal.forms import Form
from apprenticeships.portal.navigation import REVIEWERS
from apprenticeships.portal.review import Outcome, PortalReview
from apprenticeships.portal.web import Access, Identity, Portal, Visitor, form_of
from apprenticeships.recruitment.emails import long_date
from apprenticeships.recruitment.review import AdvertView, AwaitingReview
from apprenticeships.vacancies.service import REFERENCE
from apprenticeships.vacancies.vocabulary import AdvertStatus

REASON = "reason"
DECISION = "decision"
REFERENCE_FIELD = "reference"
NO_SUCH_ADVERT = "There is no advert with that reference"
ENTER_REFERENCE = "Enter an advert reference, like VAC1000012345"

WAGE_TYPES = {
    "ApprenticeshipMinimum": "National Minimum Wage for apprentices",
    "NationalMinimum": "National Minimum Wage",
    "CompetitiveSalary": "Competitive salary",
}
WAGE_UNITS = {"Annually": "a year", "Monthly": "a month", "Weekly": "a week"}
STATUS_TAGS = {
    AdvertStatus.REVIEW: ("Waiting for the employer", "govuk-tag--yellow"),
    AdvertStatus.SUBMITTED: ("Waiting for review", "govuk-tag--blue"),
    AdvertStatus.LIVE: ("Live", "govuk-tag--green"),
    AdvertStatus.REJECTED: ("Rejected", "govuk-tag--red"),
    AdvertStatus.CLOSED: ("Closed", "govuk-tag--grey"),
    AdvertStatus.DRAFT: ("Draft", "govuk-tag--grey"),
}


@dataclass(frozen=True, slots=True)
class Desk:
    """One of the two places adverts are reviewed: who sits there and what they see."""

    base: str  # the list's path; an advert's page is under it
    title: str
    intro: str
    empty: str
    column: str  # the list's third column: who the advert is from
    # The status whose adverts wait for this desk's decision.
    deciding: AdvertStatus
    back_text: str


EMPLOYER = Desk(
    base="/portal/review",
    title="Adverts to review",
    intro=(
        "Training providers that need your agreement created these adverts for you. "
        "Approve an advert to send it to the platform's reviewers, or reject it and say "
        "why. The oldest is first."
    ),
    empty="There are no adverts waiting for your review.",
    column="Training provider",
    deciding=AdvertStatus.REVIEW,
    back_text="Back to adverts to review",
)
ADMIN = Desk(
    base="/portal/admin/adverts",
    title="Submitted adverts",
    intro=(
        "Adverts waiting for the platform's review, oldest first. An approved advert is "
        "live in the Display advert API at once; a rejected one never appears."
    ),
    empty="There are no submitted adverts.",
    column="Employer",
    deciding=AdvertStatus.SUBMITTED,
    back_text="Back to submitted adverts",
)


class ReviewPages:
    def __init__(self, portal: Portal, review: PortalReview) -> None:
        self.portal = portal
        self.review = review

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        both = ("GET", "POST")
        member, admin = Access.MEMBER, Access.ADMIN
        return [
            p.route("/review", self.employer_list, access=member, roles=REVIEWERS),
            p.route(
                "/review/{reference}", self.employer_advert, methods=both,
                access=member, roles=REVIEWERS,
            ),
            p.route(
                "/review/{reference}/close", self.employer_close, methods=("POST",),
                access=member, roles=REVIEWERS,
            ),
            p.route("/admin/adverts", self.admin_list, access=admin),
            p.route("/admin/adverts/{reference}", self.admin_advert, methods=both, access=admin),
            p.route(
                "/admin/adverts/{reference}/close", self.admin_close, methods=("POST",),
                access=admin,
            ),
        ]  # fmt: skip

    # -- employers --------------------------------------------------------------------

    async def employer_list(self, request: Request, visitor: Visitor) -> Response:
        identity = _identity(visitor)
        try:
            adverts = await self.review.employer_queue(identity)
        except Forbidden:
            return self.portal.not_found(request, visitor)
        return await self._list(request, visitor, EMPLOYER, adverts)

    async def employer_advert(self, request: Request, visitor: Visitor) -> Response:
        identity = _identity(visitor)
        reference = request.path_params["reference"]
        if request.method == "GET":
            return await self._advert_page(request, visitor, EMPLOYER, reference, Form())
        form = Form.of(form_of(request), DECISION, REASON)
        approve = _decision(form)
        if approve is None:
            return await self._advert_page(request, visitor, EMPLOYER, reference, form)
        try:
            outcome = await self.review.employer_decide(
                identity, reference, approve, form.get(REASON), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return await self._advert_page(request, visitor, EMPLOYER, reference, form)
        except (Forbidden, NotFound):
            return self.portal.not_found(request, visitor)
        except Conflict as error:
            return self._conflict(request, visitor, EMPLOYER, error)
        if outcome.status is AdvertStatus.SUBMITTED:
            return self._done(
                request, visitor, EMPLOYER, "Advert approved",
                f"VAC{outcome.reference} is now with the platform's reviewers. We have "
                "emailed the person who submitted it.",
            )  # fmt: skip
        return self._done(
            request, visitor, EMPLOYER, "Advert rejected",
            f"VAC{outcome.reference} will not be published. We have emailed the person who "
            "submitted it with your reason.",
        )  # fmt: skip

    async def employer_close(self, request: Request, visitor: Visitor) -> Response:
        identity = _identity(visitor)
        try:
            outcome = await self.review.employer_close(
                identity, request.path_params["reference"], visitor.address
            )
        except (Forbidden, NotFound):
            return self.portal.not_found(request, visitor)
        except Conflict as error:
            return self._conflict(request, visitor, EMPLOYER, error)
        return self._closed(request, visitor, EMPLOYER, outcome)

    # -- platform admins --------------------------------------------------------------

    async def admin_list(self, request: Request, visitor: Visitor) -> Response:
        try:
            adverts = await self.review.admin_queue(_identity(visitor))
        except Forbidden:
            return self.portal.not_found(request, visitor)
        return await self._list(request, visitor, ADMIN, adverts)

    async def admin_advert(self, request: Request, visitor: Visitor) -> Response:
        identity = _identity(visitor)
        reference = request.path_params["reference"]
        if request.method == "GET":
            return await self._advert_page(request, visitor, ADMIN, reference, Form())
        form = Form.of(form_of(request), DECISION, REASON)
        approve = _decision(form)
        if approve is None:
            return await self._advert_page(request, visitor, ADMIN, reference, form)
        try:
            outcome = await self.review.admin_decide(
                identity, reference, approve, form.get(REASON), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return await self._advert_page(request, visitor, ADMIN, reference, form)
        except (Forbidden, NotFound):
            return self.portal.not_found(request, visitor)
        except Conflict as error:
            return self._conflict(request, visitor, ADMIN, error)
        if outcome.status is AdvertStatus.LIVE:
            return self._done(
                request, visitor, ADMIN, "Advert approved",
                f"VAC{outcome.reference} is live in the Display advert API now. We have "
                "emailed the person who submitted it.",
            )  # fmt: skip
        return self._done(
            request, visitor, ADMIN, "Advert rejected",
            f"VAC{outcome.reference} will not be published. We have emailed the person who "
            "submitted it with your reason.",
        )  # fmt: skip

    async def admin_close(self, request: Request, visitor: Visitor) -> Response:
        try:
            outcome = await self.review.admin_close(
                _identity(visitor), request.path_params["reference"], visitor.address
            )
        except (Forbidden, NotFound):
            return self.portal.not_found(request, visitor)
        except Conflict as error:
            return self._conflict(request, visitor, ADMIN, error)
        return self._closed(request, visitor, ADMIN, outcome)

    # -- shared -----------------------------------------------------------------------

    async def _list(
        self, request: Request, visitor: Visitor, desk: Desk, adverts: list[AwaitingReview]
    ) -> Response:
        """The desk's list; ``?reference=`` opens any of the person's adverts."""
        form = Form.of(request.query_params, REFERENCE_FIELD)
        status = 200
        if REFERENCE_FIELD in request.query_params:
            match = REFERENCE.match(form.get(REFERENCE_FIELD).strip())
            if match is None:
                form.add(REFERENCE_FIELD, ENTER_REFERENCE)
            elif await self._find(visitor, desk, match.group(1)) is None:
                form.add(REFERENCE_FIELD, NO_SUCH_ADVERT)
            else:
                return RedirectResponse(f"{desk.base}/VAC{match.group(1)}", status_code=303)
            status = 400
        rows = [
            [
                {"html": _link(f"{desk.base}/VAC{a.reference}", f"VAC{a.reference}")},
                {"text": a.title},
                {"text": a.provider if desk is EMPLOYER else a.employer},
                {"text": _when(a)},
                {"text": long_date(date.fromisoformat(a.closing_date))},
            ]
            for a in adverts
        ]
        return self.portal.render(
            request, visitor, "review_list.html",
            {"desk": desk, "rows": rows, "form": form, "title": desk.title},
            status=status,
        )  # fmt: skip

    async def _find(self, visitor: Visitor, desk: Desk, reference: str) -> AdvertView | None:
        try:
            if desk is EMPLOYER:
                return await self.review.employer_advert(_identity(visitor), reference)
            return await self.review.admin_advert(_identity(visitor), reference)
        except (Forbidden, NotFound):
            return None

    async def _advert_page(
        self, request: Request, visitor: Visitor, desk: Desk, reference: str, form: Form
    ) -> Response:
        advert = await self._find(visitor, desk, reference)
        if advert is None:
            return self.portal.not_found(request, visitor)
        tag, tag_class = STATUS_TAGS[advert.status]
        return self.portal.render(
            request, visitor, "review_advert.html",
            {
                "desk": desk,
                "advert": advert,
                "title": advert.title,
                "rows": summary_rows(advert),
                "status_tag": {"text": tag, "classes": tag_class},
                "deciding": advert.status is desk.deciding,
                "closable": advert.status is AdvertStatus.LIVE,
                "action": f"{desk.base}/VAC{advert.reference}",
                "form": form,
            },
            status=400 if form.errors else 200,
        )  # fmt: skip

    def _done(
        self, request: Request, visitor: Visitor, desk: Desk, title: str, text: str
    ) -> Response:
        return self.portal.message(request, visitor, title, text, link=(desk.base, desk.back_text))

    def _closed(self, request: Request, visitor: Visitor, desk: Desk, outcome: Outcome) -> Response:
        return self._done(
            request, visitor, desk, "Advert closed",
            f"VAC{outcome.reference} no longer appears in the Display advert API. We have "
            "emailed the person who submitted it.",
        )  # fmt: skip

    def _conflict(
        self, request: Request, visitor: Visitor, desk: Desk, error: Conflict
    ) -> Response:
        return self.portal.message(
            request, visitor, "This advert cannot be changed",
            f"{error}.", "Nothing was changed.",
            link=(desk.base, desk.back_text), status=409,
        )  # fmt: skip


def _identity(visitor: Visitor) -> Identity:
    # The route let only signed-in people in.
    assert visitor.identity is not None
    return visitor.identity


def _decision(form: Form) -> bool | None:
    """True to approve, False to reject; None (with the form's error) for neither."""
    decision = form.get(DECISION)
    if decision in ("approve", "reject"):
        return decision == "approve"
    form.add(DECISION, "Choose Approve or Reject")
    return None


def _link(href: str, text: str) -> Markup:
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)


def _when(advert: AwaitingReview) -> str:
    """GOV.UK style, in UTC: 5 June 2026 at 2:05pm."""
    at = advert.submitted_at
    if at is None:
        return ""
    clock = f"{at.hour % 12 or 12}:{at.minute:02d}{'am' if at.hour < 12 else 'pm'}"
    return f"{long_date(at.date())} at {clock}"


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}".removesuffix(".00")


def wage(advert: AdvertView) -> str:
    if advert.wage_type == "Custom" and advert.wage_amount is not None:
        return f"{money(advert.wage_amount)} {WAGE_UNITS.get(advert.wage_unit, '')}".strip()
    return WAGE_TYPES.get(advert.wage_type, advert.wage_type)


def _lines(*parts: str | None) -> Markup:
    return Markup("<br>").join(escape(part) for part in parts if part)


def summary_rows(advert: AdvertView) -> list[dict[str, dict[str, object]]]:
    """The advert as GOV.UK summary list rows, in the order a reviewer reads it."""
    hours = f"{advert.hours_per_week.normalize():f} hours a week"
    unit = "month" if advert.duration_unit == "Month" else "year"
    duration = f"{advert.duration} {unit}{'s' if advert.duration != 1 else ''}"
    if advert.locations:
        locations = _lines(*advert.locations)
    else:
        locations = _lines("Recruiting nationally", advert.national_details)
    if advert.anonymous:
        employer = f"{advert.employer_account}, shown anonymously as: {advert.employer_name}"
    elif advert.employer_name == advert.employer_account:
        employer = advert.employer_account
    else:
        employer = f"{advert.employer_name} (account: {advert.employer_account})"
    rows: list[tuple[str, dict[str, object]]] = [
        ("Reference", {"text": f"VAC{advert.reference}"}),
        ("Title", {"text": advert.title}),
        ("Employer", {"text": employer}),
        ("Legal entity", {"text": advert.legal_entity}),
        ("Training provider", {"text": f"{advert.provider_name} (UKPRN {advert.ukprn})"}),
        ("Course", {"text": advert.course}),
        ("Summary", {"text": advert.summary}),
        ("Wage", {"html": _lines(wage(advert), advert.wage_additional_information)}),
        ("Working week", {"html": _lines(hours, advert.working_week)}),
        ("Duration", {"text": duration}),
        ("Positions", {"text": str(advert.number_of_positions)}),
        ("Closing date", {"text": long_date(advert.closing_date)}),
        ("Start date", {"text": long_date(advert.start_date)}),
        ("Locations", {"html": locations}),
    ]
    if advert.submitter_name:
        rows.append(("Submitted by", {"text": advert.submitter_name}))
    if advert.rejection_reason:
        rows.append(("Reason for rejecting", {"text": advert.rejection_reason}))
    return [{"key": {"text": key}, "value": value} for key, value in rows]
