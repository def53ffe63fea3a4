"""What product endpoints may depend on: shared state, the caller, a read session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apprenticeships.gateway.context import REQUEST_ID_SCOPE_KEY, SCOPE_KEY, SubscriptionContext
from apprenticeships.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProductState:
    """Handed to every product app as ``app.state.platform``.

    What only some products need (the search index, the geocoder, cached reference data)
    is looked up by its type with ``component``, so this module, which every product's
    endpoints import, depends on no product.
    """

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    # The current UTC time; tests move it to see adverts close.
    clock: Callable[[], datetime]
    components: Mapping[type, object] = field(default_factory=dict)

    def component(self, kind: type[T]) -> T:
        """The platform's one ``kind`` (KeyError if the platform was built without it)."""
        found = self.components[kind]
        assert isinstance(found, kind)
        return found


# Dependencies are async so FastAPI calls them inline instead of in a worker thread.
async def _state(request: Request) -> ProductState:
    state: ProductState = request.app.state.platform
    return state


async def _subscription(request: Request) -> SubscriptionContext:
    # Set by the gateway; product apps are reachable only through it.
    context: SubscriptionContext = request.scope[SCOPE_KEY]
    return context


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    # For reading only: it is closed, never committed. Writes belong to a use case's own
    # unit of work (storage/engine.py).
    state: ProductState = request.app.state.platform
    async with state.sessions() as session:
        yield session


def request_id(request: Request) -> str:
    return str(request.scope.get(REQUEST_ID_SCOPE_KEY, ""))


State = Annotated[ProductState, Depends(_state)]
Subscription = Annotated[SubscriptionContext, Depends(_subscription)]
Session = Annotated[AsyncSession, Depends(_session)]
