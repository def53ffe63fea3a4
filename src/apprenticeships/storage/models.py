"""Tables. Every schema change goes through an Alembic migration (``storage/migrations``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(UTC)")
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Organisation(Base):
    """An employer account, a training provider or an independent developer.

    ``public_id`` is how the outside world names it: the employer's hashed account id,
    the provider's UKPRN, or the developer's account UUID.
    """

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("kind", "public_id", name="kind_public_id"),
        CheckConstraint("kind IN ('employer', 'provider', 'developer')", name="kind"),
        CheckConstraint("status IN ('active', 'suspended', 'deleted')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    public_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class User(Base):
    """A person who signs in (the portal calls them people). Platform admins review
    adverts and see the audit log; everyone else acts for organisations through their
    memberships."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    # Argon2id; None until an invited person sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # None until the person shows they read mail at this address (a confirmation link,
    # or setting a password from an invitation or reset link).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Portal sessions that began before this have ended (on every process).
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Membership(Base):
    """A person's role in one organisation; a person may belong to several."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="user_organisation"),
        CheckConstraint(
            "role IN ('Owner', 'Transactor', 'Viewer', 'AccountOwner', 'Contributor', 'Developer')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AccountToken(Base):
    """A single-use link sent by email (confirm an email, accept an invitation, reset a
    password). Only a SHA-256 of the random token is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('confirm', 'invite', 'reset')", name="purpose"),
        Index("ix_account_tokens_user", "user_id", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInFailure(Base):
    """A failed sign-in, kept for a day: sign-in counts them per submitted email (for
    the lockout) and per client address (for the throttle) over the last minutes."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email", "email", "at"),
        Index("ix_sign_in_failures_address", "client_address", "at"),
        Index("ix_sign_in_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # As submitted, normalised (trimmed, lower-case), whether or not anyone has it.
    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboundEmail(Base):
    """The mail outbox: an email is written here in the transaction that decided to
    send it, and delivered afterwards by ``mail.delivery``.

    ``next_attempt_at`` is when it is due, and None once it was sent or given up on, so
    the index holds only the waiting ones near its start.
    """

    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # Kept for every attempt, so a receiver sees a resend as the same message.
    message_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Given up after too many failed attempts.
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class Subscription(Base):
    """One owner's access to one product in one environment; its keys share one counter."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "product_id", "environment", name="owner_product_env"),
        CheckConstraint("environment IN ('live', 'sandbox')", name="environment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    product_id: Mapped[str] = mapped_column(String(32))
    environment: Mapped[str] = mapped_column(String(8))
    rate_limit_calls: Mapped[int | None] = mapped_column(Integer)
    rate_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class ApiKey(Base):
    """A key is stored only as an HMAC of its full text, plus a short visible fragment."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fragment: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The last request made with the key and how many there were, whatever their answer
    # (429s too); written with the hourly counts (KeyUsageHour) by gateway/usage.py.
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    usage_count: Mapped[int] = mapped_column(BigInteger, default=0)
    replaced_by_id: Mapped[str | None] = mapped_column(String(32))
    # The person who got it in the portal; None for keys issued at the CLI.
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    subscription: Mapped[Subscription] = relationship(lazy="raise")


class KeyUsageHour(Base):
    """Requests made with a key in one hour (UTC, from its start) that got one class of
    answer: ``2xx``, ``3xx``, ``4xx`` (except 429), ``429`` or ``5xx``. The gateway adds
    to these counts in batches (``gateway/usage.py``); rows are kept 90 days.

    No foreign key to ``api_keys``: a batch must never fail because a key was deleted
    after it was used, and old counts outlive nothing they need."""

    __tablename__ = "key_usage_hours"
    __table_args__ = (
        CheckConstraint("status_class IN ('2xx', '3xx', '4xx', '429', '5xx')", name="status_class"),
        # Pruning deletes by hour alone.
        Index("ix_key_usage_hours_hour", "hour"),
    )

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    status_class: Mapped[str] = mapped_column(String(3), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger)


class ProductRateLimit(Base):
    """An operator's override of the default limit for every subscription of a product."""

    __tablename__ = "product_rate_limits"

    product_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    environment: Mapped[str] = mapped_column(String(8), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)


class ApiVersion(Base):
    """A released version of a product. Versions the code declares but nobody released
    have no row."""

    __tablename__ = "api_versions"

    product_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    released_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CacheEvent(Base):
    """Append-only log that tells every process which cached snapshots to drop.

    kind ``key`` names one key hash; ``keys`` drops every key snapshot (limits changed,
    an owner was suspended); ``catalog`` re-reads the version table.
    """

    __tablename__ = "cache_events"
    __table_args__ = (Index("ix_cache_events_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Route(Base):
    """An occupational route (IfATE), such as "Digital"."""

    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Standard(Base):
    """An apprenticeship standard (or foundation apprenticeship) by its LARS code."""

    __tablename__ = "standards"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 8", name="level"),
        CheckConstraint(
            "apprenticeship_type IN ('Apprenticeship', 'FoundationApprenticeship')", name="type"
        ),
    )

    lars_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ifate_reference: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(255))
    level: Mapped[int] = mapped_column(Integer)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id"), index=True)
    apprenticeship_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str | None] = mapped_column(String(16))
    # The last day an apprentice may start on this standard (IfATE "latestStartDate").
    last_date_starts: Mapped[date | None] = mapped_column(Date)
    # The titles of the standard's options; empty when it has none (only "core").
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    route: Mapped[Route] = relationship(lazy="raise")


class LegalEntity(Base):
    """An employer account's legal entity (the organisation that signs contracts)."""

    __tablename__ = "legal_entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    public_hashed_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProviderPermission(Base):
    """A legal entity letting a training provider recruit for it."""

    __tablename__ = "provider_permissions"
    __table_args__ = (
        UniqueConstraint("provider_id", "legal_entity_id", name="provider_legal_entity"),
        CheckConstraint(
            "permission IN ('Recruitment', 'RecruitmentRequiresReview')", name="permission"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    legal_entity_id: Mapped[int] = mapped_column(ForeignKey("legal_entities.id"), index=True)
    permission: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Vacancy(Base):
    """An apprenticeship advert, with everything both Display advert versions return."""

    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("environment IN ('live', 'sandbox')", name="environment"),
        CheckConstraint(
            "status IN ('Draft', 'Submitted', 'Review', 'Live', 'Rejected', 'Closed')",
            name="status",
        ),
        CheckConstraint("data_source IN ('Raa', 'Nhs', 'Csj')", name="data_source"),
        UniqueConstraint("environment", "reference", name="environment_reference"),
        UniqueConstraint("client_id", name="client_id"),
        # An imported advert is the feed's advert with this id: importing again updates it.
        UniqueConstraint("data_source", "source_reference", name="data_source_reference"),
        # What changed since the search index was built (its delta).
        Index("ix_vacancies_changed", "environment", "updated_at"),
        # Covers every column the search index reads, so building it never touches the
        # wide advert rows (a third faster at 100k adverts on SQLite).
        Index(
            "ix_vacancies_search",
            "environment",
            "status",
            "closing_date",
            "id",
            "reference",
            "posted_at",
            "start_date",
            "lars_code",
            "provider_id",
            "employer_id",
            "legal_entity_id",
            "is_national",
            "employer_name",
            "data_source",
            "title",
            "employer_name_option",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger)
    environment: Mapped[str] = mapped_column(String(8))
    # Where the advert comes from (vacancies.vocabulary.DataSource): this service's own
    # recruitment unless an import or the demo data says NHS Jobs or Civil Service Jobs.
    data_source: Mapped[str] = mapped_column(String(8), default="Raa", server_default="Raa")
    # The advert's id in the feed it was imported from (``vacancies import``); empty for
    # adverts made here. Unique per data source (NULLs never clash).
    source_reference: Mapped[str | None] = mapped_column(String(100))
    # The GUID a Recruitment API client chose (idempotency), when it came from there.
    client_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    short_description: Mapped[str] = mapped_column(String(350))
    description: Mapped[str] = mapped_column(Text)
    number_of_positions: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closing_date: Mapped[date] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    wage_type: Mapped[str] = mapped_column(String(32))
    wage_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    wage_unit: Mapped[str] = mapped_column(String(16))
    wage_additional_information: Mapped[str | None] = mapped_column(Text)
    working_week_description: Mapped[str] = mapped_column(String(250))
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    duration: Mapped[int] = mapped_column(Integer)
    duration_unit: Mapped[str] = mapped_column(String(8))
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    legal_entity_id: Mapped[int] = mapped_column(ForeignKey("legal_entities.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    employer_name_option: Mapped[str] = mapped_column(String(16))
    employer_name: Mapped[str] = mapped_column(String(255))
    anonymous_reason: Mapped[str | None] = mapped_column(String(200))
    employer_description: Mapped[str] = mapped_column(Text)
    employer_website_url: Mapped[str | None] = mapped_column(String(100))
    employer_contact_name: Mapped[str | None] = mapped_column(String(100))
    employer_contact_email: Mapped[str | None] = mapped_column(String(100))
    employer_contact_phone: Mapped[str | None] = mapped_column(String(16))
    lars_code: Mapped[int] = mapped_column(ForeignKey("standards.lars_code"), index=True)
    is_disability_confident: Mapped[bool] = mapped_column(Boolean)
    is_national: Mapped[bool] = mapped_column(Boolean)
    national_details: Mapped[str | None] = mapped_column(Text)
    training_description: Mapped[str] = mapped_column(Text)
    additional_training_description: Mapped[str | None] = mapped_column(Text)
    outcome_description: Mapped[str] = mapped_column(Text)
    things_to_consider: Mapped[str | None] = mapped_column(Text)
    company_benefits_information: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[str]] = mapped_column(JSON)
    qualifications: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    application_method: Mapped[str] = mapped_column(String(40))
    application_url: Mapped[str | None] = mapped_column(String(2000))
    application_instructions: Mapped[str | None] = mapped_column(String(500))
    additional_question_1: Mapped[str | None] = mapped_column(String(250))
    additional_question_2: Mapped[str | None] = mapped_column(String(250))
    # Who created it through the Recruitment API: "employer" or "provider" (the key's
    # owner kind); empty for adverts made another way (demo data).
    owner_kind: Mapped[str | None] = mapped_column(String(16))
    # The person the caller named as submitting it; never shown in the Display advert API.
    submitter_name: Mapped[str | None] = mapped_column(String(100))
    submitter_email: Mapped[str | None] = mapped_column(String(100))
    submitter_phone: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(320))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    addresses: Mapped[list[VacancyAddress]] = relationship(
        lazy="raise", order_by="VacancyAddress.position", cascade="all, delete-orphan"
    )


class ProviderCourse(Base):
    """A course (standard) a training provider delivers."""

    __tablename__ = "provider_courses"

    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    lars_code: Mapped[int] = mapped_column(
        ForeignKey("standards.lars_code"), primary_key=True, autoincrement=False
    )


class Counter(Base):
    """A named number handed out in order, such as the next advert reference. Taking one
    is an UPDATE of its row, so concurrent writers queue instead of colliding."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class VacancyAddress(Base):
    """Where the apprentice will work; position 0 is the primary address."""

    __tablename__ = "vacancy_addresses"
    __table_args__ = (UniqueConstraint("vacancy_id", "position", name="vacancy_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    line1: Mapped[str] = mapped_column(String(100))
    line2: Mapped[str | None] = mapped_column(String(100))
    line3: Mapped[str | None] = mapped_column(String(100))
    line4: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(8))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class PostcodeCentroid(Base):
    """Where a full postcode ("LS1 4AB") or a postcode district ("LS1") is, loaded by
    ``geo import`` from an official open postcode file. Postcodes that have no row here
    fall back to the district centres shipped in ``geo/data/outcodes.csv``."""

    __tablename__ = "postcode_centroids"
    __table_args__ = (
        CheckConstraint(
            "country IN ('England', 'Wales', 'Scotland', 'Northern Ireland', "
            "'Channel Islands', 'Isle of Man')",
            name="country",
        ),
    )

    # The canonical form from ``geo.postcodes``: a full postcode has a space, a district not.
    key: Mapped[str] = mapped_column(String(8), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(16))


class Ksb(Base):
    """One knowledge, skill or behaviour of a standard. ``options`` lists the titles of
    the options it belongs to; "core" means every option."""

    __tablename__ = "ksbs"
    __table_args__ = (CheckConstraint("kind IN ('Knowledge', 'Skill', 'Behaviour')", name="kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # lower-case, hyphenated
    lars_code: Mapped[int] = mapped_column(ForeignKey("standards.lars_code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(8))  # K1, S3, B2
    description: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)


class Apprenticeship(Base):
    """An apprentice's record with their training provider: what progress is recorded
    against. Found by (provider, ULN, planned start month)."""

    __tablename__ = "apprenticeships"
    __table_args__ = (
        CheckConstraint(
            "delivery_model IN ('Regular', 'PortableFlexiJob', 'FlexiJobAgency')",
            name="delivery_model",
        ),
        CheckConstraint(
            "status IN ('WaitingToStart', 'Live', 'Paused', 'Stopped', 'Completed')",
            name="status",
        ),
        Index("ix_apprenticeships_lookup", "provider_id", "uln", "planned_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uln: Mapped[int] = mapped_column(BigInteger)
    # The first day of the planned start month.
    planned_start: Mapped[date] = mapped_column(Date)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lars_code: Mapped[int] = mapped_column(ForeignKey("standards.lars_code"))
    option: Mapped[str | None] = mapped_column(String(255))
    delivery_model: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # The actual start day; a record whose stop date equals it had no delivery.
    start_date: Mapped[date] = mapped_column(Date)
    stop_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProgressSubmission(Base):
    """One POST of progress: its id is the ``progressId`` the provider gets back."""

    __tablename__ = "progress_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(ForeignKey("apprenticeships.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    values: Mapped[list[ProgressValue]] = relationship(
        lazy="raise", order_by="ProgressValue.position", cascade="all, delete-orphan"
    )


class ProgressValue(Base):
    __tablename__ = "progress_values"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("progress_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ksb_id: Mapped[str] = mapped_column(ForeignKey("ksbs.id"))
    value: Mapped[int] = mapped_column(Integer)


class PortalSession(Base):
    """A signed-in portal session, when sessions are kept in the database (Redis holds
    them otherwise). Only a hash of the cookie's session id is stored."""

    __tablename__ = "portal_sessions"
    __table_args__ = (
        # Ending every session of a person (password change), and purging idle ones.
        Index("ix_portal_sessions_user_id", "user_id"),
        Index("ix_portal_sessions_last_seen_at", "last_seen_at"),
    )

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The organisation the person acts for; none until they pick one (or for admins).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    csrf_secret: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditEvent(Base):
    """Who did what, for which organisation, when and from where. The actor's email is
    kept as text so the entry outlives the person; ``details`` never holds a secret."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # The newest first, for one organisation and for everyone.
        Index("ix_audit_events_organisation", "organisation_id", "at", "id"),
        Index("ix_audit_events_at", "at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str | None] = mapped_column(String(320))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(100))
