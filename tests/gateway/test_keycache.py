from __future__ import annotations

import asyncio

from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.gateway.keycache import KeyCache
from apprenticeships.keys.snapshot import KeySnapshot
from apprenticeships.settings import RateLimitRule
from tests.support.clocks import ManualClock

SNAPSHOT = KeySnapshot(
    key_id="key_1",
    subscription_id=1,
    owner_kind=OwnerKind.DEVELOPER,
    owner_id="d",
    product_id="display-advert",
    environment=Environment.LIVE,
    rate_limit=RateLimitRule(150, 300),
    expires_at=None,
)


class Store:
    def __init__(self) -> None:
        self.known: dict[str, KeySnapshot] = {"good": SNAPSHOT}
        self.queries = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def load(self, key_hash: str) -> KeySnapshot | None:
        self.queries += 1
        found = self.known.get(key_hash)  # the row as it was when the query ran
        await self.gate.wait()
        return found


async def test_known_key_is_read_from_the_store_once() -> None:
    store = Store()
    cache = KeyCache(store.load)
    for _ in range(100):
        assert await cache.get("good") is SNAPSHOT
    assert store.queries == 1
    assert cache.stats.hits == 99


async def test_concurrent_requests_for_a_cold_key_share_one_query() -> None:
    store = Store()
    store.gate.clear()
    cache = KeyCache(store.load)
    waiting = [asyncio.create_task(cache.get("good")) for _ in range(50)]
    await asyncio.sleep(0.01)
    store.gate.set()
    assert all(result is SNAPSHOT for result in await asyncio.gather(*waiting))
    assert store.queries == 1


async def test_unknown_keys_are_cached_negatively_within_a_bound() -> None:
    store = Store()
    cache = KeyCache(store.load, negative_size=10)
    for _ in range(5):
        assert await cache.get("nope") is None
    assert store.queries == 1
    for number in range(20):
        await cache.get(f"random-{number}")
    assert len(cache._unknown) == 10
    await cache.get("nope")  # pushed out by newer unknown keys, so asked again
    assert store.queries == 22


async def test_invalidation_during_a_load_is_not_overwritten_by_stale_data() -> None:
    store = Store()
    store.gate.clear()
    cache = KeyCache(store.load)
    loading = asyncio.create_task(cache.get("good"))
    await asyncio.sleep(0.01)
    del store.known["good"]  # revoked while the old row was being read
    cache.invalidate("good")
    store.gate.set()
    assert await loading is SNAPSHOT  # that request raced the revocation
    assert await cache.get("good") is None  # but nothing stale was cached


async def test_snapshots_are_reread_after_their_ttl() -> None:
    clock = ManualClock(0.0)
    store = Store()
    cache = KeyCache(store.load, ttl=10, clock=clock)
    await cache.get("good")
    clock.advance(11)
    await cache.get("good")
    assert store.queries == 2
