"""Tables. Every schema change goes through an Alembic migration (``storage/migrations``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
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
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    public_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class User(Base):
    """A person who signs in. Platform admins review adverts and see the audit log."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


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
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    usage_count: Mapped[int] = mapped_column(BigInteger, default=0)
    replaced_by_id: Mapped[str | None] = mapped_column(String(32))

    subscription: Mapped[Subscription] = relationship(lazy="raise")


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

    route: Mapped[Route] = relationship(lazy="raise")
