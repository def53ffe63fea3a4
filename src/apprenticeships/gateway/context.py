"""What the gateway hands product code about the caller: an immutable context, in place
of the key."""

from __future__ import annotations

from typing import NamedTuple

from apprenticeships.catalog.products import Environment, OwnerKind

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
