"""Creating adverts through the Recruitment API: who may, what a valid advert is, and
what is stored. The owner of an advert always comes from the caller's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.accounts.repository import LegalEntityRepository, OrganisationRepository
from apprenticeships.accounts.vocabulary import OrganisationStatus
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.errors import Conflict, Forbidden, InvalidInput, NotFound
from apprenticeships.gateway.context import SubscriptionContext
from apprenticeships.geo.service import Geocoder
from apprenticeships.recruitment import messages as m
from apprenticeships.recruitment.reader import Positions, Problems
from apprenticeships.recruitment.schemas import EmployerNameOption, WageType
from apprenticeships.recruitment.validation import REQUEST_TYPE, AdvertDraft, read_advert
from apprenticeships.referencedata.repository import ReferenceDataRepository
from apprenticeships.storage.engine import unit_of_work
from apprenticeships.storage.models import LegalEntity, Organisation, Vacancy, VacancyAddress
from apprenticeships.vacancies.repository import VacancyRepository
from apprenticeships.vacancies.vocabulary import AdvertStatus

FOUNDATION = "FoundationApprenticeship"
# Every advert "created" in the sandbox gets this reference; nothing is stored there.
SANDBOX_REFERENCE = 1_000_000_001
# How the Recruitment API's wage types are stored (the Display advert API's names).
STORED_WAGE_TYPES = {
    WageType.FIXED_WAGE: "Custom",
    WageType.NATIONAL_MINIMUM_WAGE_FOR_APPRENTICES: "ApprenticeshipMinimum",
    WageType.NATIONAL_MINIMUM_WAGE: "NationalMinimum",
    WageType.COMPETITIVE_SALARY: "CompetitiveSalary",
}


class AlreadySubmitted(Conflict):
    """The client's id for the advert was used before: the advert exists already. The
    Recruit API reports it under its model's ``Id``."""

    def __init__(self) -> None:
        super().__init__(m.ALREADY_SUBMITTED, field="Id")


@dataclass(frozen=True, slots=True)
class CheckedAdvert:
    """An advert that passed every rule, with the stored things it refers to (rows of
    the unit of work that checked it, which is also the one that stores it)."""

    draft: AdvertDraft
    legal_entity: LegalEntity
    employer: Organisation
    provider: Organisation
    owner_kind: OwnerKind
    requires_employer_review: bool
    foundation: bool
    points: tuple[tuple[float, float], ...]


class RecruitmentService:
    """The Recruitment API's use cases. Each method opens and ends its own unit of work."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], geocoder: Geocoder) -> None:
        self.sessions = sessions
        self.geocoder = geocoder

    async def create_vacancy(
        self,
        caller: SubscriptionContext,
        client_id: str,
        body: Any,
        now: datetime,
        *,
        source: bytes | None = None,
    ) -> int:
        """Check an advert and store it, waiting for review; its reference, once committed.
        ``source`` is the body as sent, to say where a value that cannot be read is.

        One transaction: every rule (``AdvertRules.check``), then the id (a reused id is
        ``AlreadySubmitted``, as the Recruit API answers once the advert is valid), then
        the advert is written. In the sandbox the same rules run, the id is not looked
        at and nothing is written. Two requests racing with one id both pass the id
        check; the database's unique client id stops the second, which is then
        ``AlreadySubmitted`` too.
        """
        try:
            async with unit_of_work(self.sessions) as session:
                vacancies = VacancyRepository(session)
                rules = AdvertRules(session, self.geocoder)
                advert = await rules.check(caller, body, now.date(), source=source)
                if caller.is_sandbox:
                    return SANDBOX_REFERENCE
                if await vacancies.client_id_taken(client_id):
                    raise AlreadySubmitted()
                # The first write, which queues concurrent creations on the counter's lock
                # (see next_references); everything before it only read.
                (reference,) = await vacancies.next_references(1)
                await vacancies.add(
                    _new_vacancy(advert, reference, client_id, caller.environment, now)
                )
                return reference
        except IntegrityError:
            # The only constraint a checked advert can break is the client id's: its
            # reference comes from the locked counter, and the rows it refers to were
            # read in this transaction and are never deleted.
            raise AlreadySubmitted() from None


class AdvertRules:
    """What a valid advert is, checked with the reads of one unit of work."""

    def __init__(self, session: AsyncSession, geocoder: Geocoder) -> None:
        self.session = session
        self.organisations = OrganisationRepository(session)
        self.legal_entities = LegalEntityRepository(session)
        self.reference_data = ReferenceDataRepository(session)
        self.geocoder = geocoder

    async def check(
        self,
        caller: SubscriptionContext,
        body: Any,
        today: date,
        *,
        source: bytes | str | None = None,
    ) -> CheckedAdvert:
        """Every rule, in this order: the body is a JSON object (400); the legal entity is
        one the key may act for (403); the fields (400, all problems together); the
        training provider is registered (404)."""
        if body is None:
            raise InvalidInput.of("", m.BODY_EMPTY)
        if not isinstance(body, dict):
            line, position = Positions(source, body).of("$")
            raise InvalidInput.of("$", m.not_converted(REQUEST_TYPE, "$", line, position))
        caller_organisation = await self.organisations.find(caller.owner_kind, caller.owner_id)
        if caller.owner_kind is OwnerKind.DEVELOPER or caller_organisation is None:
            raise Forbidden(m.LEGAL_ENTITY_NOT_LINKED)
        problems = Problems()
        draft = read_advert(
            body,
            today,
            problems,
            for_provider=caller.owner_kind is OwnerKind.PROVIDER,
            source=source,
        )

        legal_entity = employer = None
        requires_review = False
        if draft.legal_entity_public_hashed_id is not None:
            legal_entity, employer, requires_review = await self._acting_for(
                caller, caller_organisation, draft.legal_entity_public_hashed_id
            )

        foundation = await self._check_standard(draft, problems)
        if not foundation and not draft.skills and not draft.skills_in_error:
            problems.add("Skills", m.SKILLS_REQUIRED)
        points = await self._locate(draft, problems)

        provider = None
        if caller.owner_kind is OwnerKind.PROVIDER:
            provider = caller_organisation
            if draft.ukprn is not None and str(draft.ukprn) != caller.owner_id:
                problems.add("ContractingParties.Ukprn", m.UKPRN_NOT_CALLER)
        if problems:
            raise InvalidInput.by_field(problems.errors)
        if provider is None:
            assert draft.ukprn is not None  # read_advert reported it otherwise
            provider = await self.organisations.find(OwnerKind.PROVIDER, str(draft.ukprn))
            if provider is None or provider.status != OrganisationStatus.ACTIVE:
                raise NotFound(m.UKPRN_NOT_VALID)
        assert legal_entity is not None and employer is not None
        return CheckedAdvert(
            draft=draft,
            legal_entity=legal_entity,
            employer=employer,
            provider=provider,
            owner_kind=caller.owner_kind,
            requires_employer_review=requires_review,
            foundation=foundation,
            points=points,
        )

    async def _acting_for(
        self, caller: SubscriptionContext, organisation: Organisation, hashed_id: str
    ) -> tuple[LegalEntity, Organisation, bool]:
        """The legal entity, its employer, and whether the employer must review the
        advert first; Forbidden when the key may not act for it."""
        entity = await self.legal_entities.by_hashed_id(hashed_id)
        if entity is None:
            raise Forbidden(m.LEGAL_ENTITY_NOT_LINKED)
        if caller.owner_kind is OwnerKind.EMPLOYER:
            if entity.organisation_id != organisation.id:
                raise Forbidden(m.LEGAL_ENTITY_NOT_LINKED)
            return entity, organisation, False
        permission = await self.legal_entities.permission(organisation.id, entity.id)
        if permission is None:
            raise Forbidden(m.LEGAL_ENTITY_NOT_LINKED)
        employer = await self.organisations.by_id(entity.organisation_id)
        assert employer is not None  # a foreign key
        return entity, employer, permission.permission == "RecruitmentRequiresReview"

    async def _check_standard(self, draft: AdvertDraft, problems: Problems) -> bool:
        """Whether the standard is a foundation apprenticeship; records its problems."""
        if draft.standard_lars_code is None:
            return False
        found = await self.reference_data.standards_by_code([draft.standard_lars_code])
        standard = found.get(draft.standard_lars_code)
        if standard is None or not standard.is_active:
            problems.add("standardLarsCode", m.STANDARD_INVALID)
            draft.standard_lars_code = None
            return False
        if (
            standard.last_date_starts is not None
            and draft.start_date is not None
            and draft.start_date > standard.last_date_starts
        ):
            problems.add("StartDate", m.standard_closed_for_starts(standard.last_date_starts))
        return standard.apprenticeship_type == FOUNDATION

    async def _locate(
        self, draft: AdvertDraft, problems: Problems
    ) -> tuple[tuple[float, float], ...]:
        located = await self.geocoder.locate_many(
            [a.postcode for a in draft.addresses], self.session
        )
        points = []
        for address in draft.addresses:
            place = located.get(address.postcode)
            if place is None:
                problems.add(address.postcode_key, m.POSTCODE_NOT_FOUND)
            elif not place.in_england:
                problems.add(address.postcode_key, m.POSTCODE_NOT_IN_ENGLAND)
            else:
                points.append((place.latitude, place.longitude))
        return tuple(points)


def _new_vacancy(
    advert: CheckedAdvert, reference: int, client_id: str, environment: Environment, now: datetime
) -> Vacancy:
    draft = advert.draft
    assert draft.closing_date is not None and draft.start_date is not None
    assert draft.wage_type is not None and draft.weekly_hours is not None
    option = draft.employer_name_option
    anonymous = option is EmployerNameOption.ANONYMOUS
    employer_name = (
        draft.alternative_employer_name
        if option is not EmployerNameOption.REGISTERED_NAME and draft.alternative_employer_name
        else advert.legal_entity.name
    )
    wage_type = STORED_WAGE_TYPES[draft.wage_type]
    vacancy = Vacancy(
        reference=reference,
        environment=environment,
        client_id=client_id,
        status=AdvertStatus.REVIEW if advert.requires_employer_review else AdvertStatus.SUBMITTED,
        title=draft.title,
        short_description=draft.short_description,
        description=draft.description,
        number_of_positions=draft.number_of_positions,
        posted_at=None,
        closing_date=draft.closing_date,
        start_date=draft.start_date,
        wage_type=wage_type,
        wage_amount=draft.fixed_wage_yearly_amount if wage_type == "Custom" else None,
        wage_unit="Annually" if wage_type == "Custom" else "Unspecified",
        wage_additional_information=draft.wage_additional_information,
        working_week_description=draft.working_week_description,
        hours_per_week=draft.weekly_hours,
        duration=draft.duration,
        duration_unit=draft.duration_unit,
        employer_id=advert.employer.id,
        legal_entity_id=advert.legal_entity.id,
        provider_id=advert.provider.id,
        employer_name_option=option,
        employer_name=employer_name,
        anonymous_reason=draft.anonymous_reason if anonymous else None,
        employer_description=draft.employer_description,
        employer_website_url=draft.employer_website_url,
        lars_code=draft.standard_lars_code,
        is_disability_confident=bool(draft.disability_confident),
        is_national=draft.recruiting_nationally,
        national_details=draft.recruiting_nationally_details,
        training_description=draft.training_description,
        additional_training_description=draft.additional_training_description,
        outcome_description=draft.outcome_description,
        things_to_consider=draft.things_to_consider,
        company_benefits_information=draft.company_benefits_information,
        skills=[] if advert.foundation else list(draft.skills),
        qualifications=[] if advert.foundation else list(draft.qualifications),
        application_method=draft.application_method,
        application_url=draft.application_url,
        application_instructions=draft.application_instructions,
        additional_question_1=draft.additional_question_1,
        additional_question_2=draft.additional_question_2,
        owner_kind=str(advert.owner_kind),
        submitter_name=draft.submitter_name,
        submitter_email=draft.submitter_email,
        submitter_phone=draft.submitter_phone,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    vacancy.addresses = [
        VacancyAddress(
            position=position,
            line1=address.line1,
            line2=address.line2,
            line3=address.line3,
            line4=address.line4,
            postcode=address.postcode,
            latitude=latitude,
            longitude=longitude,
        )
        for position, (address, (latitude, longitude)) in enumerate(
            zip(draft.addresses, advert.points, strict=True)
        )
    ]
    return vacancy
