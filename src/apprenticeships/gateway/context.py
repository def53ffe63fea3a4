"""What the gateway knows about a caller: immutable snapshots, safe to share and cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.settings import RateLimitRule

SCOPE_KEY = "apprenticeships.subscription"


class SubscriptionContext(NamedTuple):
    """Who is calling, handed to product code in place of the key. Immutable, and a
    NamedTuple because one is made for every request.

    ``owner_id`` is the employer's hashed account id, the provider's UKPRN, or the
    developer's account id.
    """

    owner_kind: OwnerKind
    owner_id: str
    product_id: str
    environment: Environment
    subscription_id: int
    key_id: str
    version: int

    @property
    def is_sandbox(self) -> bool:
        return self.environment is Environment.SANDBOX


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
