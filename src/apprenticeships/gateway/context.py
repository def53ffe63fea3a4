"""The gateway's contract with product code: what it leaves in the ASGI scope, including
the caller, handed over as an immutable context in place of the key.

Product code reads the scope through these names only, never through the gateway's
middleware, so the gateway can change how it works without touching the products.
"""

from __future__ import annotations

from typing import NamedTuple

from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.gateway import responses

# The caller, a ``SubscriptionContext``; set on every request the gateway admits.
SCOPE_KEY = "apprenticeships.subscription"
# This request's id (``str``), also sent back as ``X-Request-Id``; set on every request.
REQUEST_ID_SCOPE_KEY = "apprenticeships.request_id"


class RequestBodyTooLarge(Exception):
    """Raised from ``receive`` when a body sent without a Content-Length passes the limit.

    Product apps turn it into the gateway's 413 response; ``limit`` is in bytes.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(responses.body_too_large_message(limit))
        self.limit = limit


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
