"""A key as the gateway's hot path needs it: read once from the store, then cached and
shared. Immutable, so one object can serve every request that presents the key."""

from __future__ import annotations

from dataclasses import dataclass

from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.settings import RateLimitRule


@dataclass(frozen=True, slots=True)
class KeySnapshot:
    """A key as the hot path needs it, read once from the store and then cached."""

    key_id: str
    subscription_id: int
    owner_kind: OwnerKind
    owner_id: str
    product_id: str
    environment: Environment
    rate_limit: RateLimitRule
    # Unix time after which the key stops working (end of a rotation grace period).
    expires_at: float | None
