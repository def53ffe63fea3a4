"""Prometheus metrics, in a registry per application (so tests and workers never share)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from apprenticeships.gateway.keycache import CacheStats

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _KeyCacheCollector(Collector):
    def __init__(self, stats: Callable[[], CacheStats]) -> None:
        self._stats = stats

    def collect(self):  # type: ignore[no-untyped-def]
        stats = self._stats()
        family = CounterMetricFamily(
            "apprenticeships_key_cache_lookups",
            "Key lookups on the gateway's hot path, by outcome.",
            labels=["result"],
        )
        family.add_metric(["hit"], stats.hits)
        family.add_metric(["negative_hit"], stats.negative_hits)
        family.add_metric(["miss"], stats.misses)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "apprenticeships_requests",
            "API requests by product, version, environment and status.",
            ["product", "version", "environment", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "apprenticeships_request_duration_seconds",
            "Time from the gateway receiving a request to the end of its response.",
            ["product"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "apprenticeships_rate_limited",
            "Requests refused with 429, by product.",
            ["product"],
            registry=self.registry,
        )
        self.rate_limit_backend_up = Gauge(
            "apprenticeships_rate_limit_backend_up",
            "1 while the shared rate-limit backend (Redis) answers, 0 during per-process fallback.",
            registry=self.registry,
        )
        self.rate_limit_fallbacks = Counter(
            "apprenticeships_rate_limit_fallbacks",
            "Times this process switched to per-process rate limiting because Redis failed.",
            registry=self.registry,
        )
        self.rate_limit_backend_up.set(1)
        # labels() costs a few microseconds; the children are looked up once per label set.
        self._request_children: dict[tuple[str, str, str, str], Any] = {}
        self._latency_children: dict[str, Any] = {}
        self._limited_children: dict[str, Any] = {}

    def observe_request(
        self, product: str, version: str, environment: str, status: str, seconds: float
    ) -> None:
        labels = (product, version, environment, status)
        requests = self._request_children.get(labels)
        if requests is None:
            requests = self._request_children[labels] = self.requests.labels(*labels)
        requests.inc()
        latency = self._latency_children.get(product)
        if latency is None:
            latency = self._latency_children[product] = self.latency.labels(product)
        latency.observe(seconds)
        if status == "429":
            limited = self._limited_children.get(product)
            if limited is None:
                limited = self._limited_children[product] = self.rate_limited.labels(product)
            limited.inc()

    def watch_key_cache(self, stats: Callable[[], CacheStats]) -> None:
        self.registry.register(_KeyCacheCollector(stats))

    def rate_limit_backend_changed(self, up: bool) -> None:
        self.rate_limit_backend_up.set(1 if up else 0)
        if not up:
            self.rate_limit_fallbacks.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
