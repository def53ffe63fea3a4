"""Prometheus metrics, in a registry per application (so tests and workers never share).

Per-request figures are counted in plain dictionaries on the hot path and turned into
Prometheus families only when ``/metrics`` is scraped: prometheus-client's own counters
and histograms take a lock and walk the buckets in Python on every observation, which
cost the gateway a measurable share of its throughput.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
RequestLabels = tuple[str, str, str, str]  # product, version, environment, status


class KeyCacheCounts(Protocol):
    """What the key cache counts (``gateway.keycache.CacheStats``)."""

    hits: int
    negative_hits: int
    misses: int


class _RequestCollector(Collector):
    def __init__(self) -> None:
        self.counts: dict[RequestLabels, int] = {}
        # product -> counts per bucket (the last one is +Inf), and the sum of seconds
        self.latency: dict[str, tuple[list[int], list[float]]] = {}

    def observe(self, labels: RequestLabels, seconds: float) -> None:
        self.counts[labels] = self.counts.get(labels, 0) + 1
        histogram = self.latency.get(labels[0])
        if histogram is None:
            histogram = self.latency[labels[0]] = ([0] * (len(LATENCY_BUCKETS) + 1), [0.0])
        histogram[0][bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        histogram[1][0] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "apprenticeships_requests",
            "API requests by product, version, environment and status.",
            labels=["product", "version", "environment", "status"],
        )
        limited: dict[str, int] = {}
        for labels, count in sorted(self.counts.items()):
            requests.add_metric(list(labels), count)
            if labels[3] == "429":
                limited[labels[0]] = limited.get(labels[0], 0) + count
        yield requests
        rate_limited = CounterMetricFamily(
            "apprenticeships_rate_limited",
            "Requests refused with 429, by product.",
            labels=["product"],
        )
        for product, count in sorted(limited.items()):
            rate_limited.add_metric([product], count)
        yield rate_limited
        latency = HistogramMetricFamily(
            "apprenticeships_request_duration_seconds",
            "Time from the gateway receiving a request to the end of its response.",
            labels=["product"],
        )
        for product, (counts, total) in sorted(self.latency.items()):
            cumulative, buckets = 0, []
            for bound, count in zip((*map(str, LATENCY_BUCKETS), "+Inf"), counts, strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([product], buckets, total[0])
        yield latency


class _KeyCacheCollector(Collector):
    def __init__(self, stats: Callable[[], KeyCacheCounts]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
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
        self._requests = _RequestCollector()
        self.registry.register(self._requests)
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

    def observe_request(
        self, product: str, version: str, environment: str, status: str, seconds: float
    ) -> None:
        self._requests.observe((product, version, environment, status), seconds)

    def watch_key_cache(self, stats: Callable[[], KeyCacheCounts]) -> None:
        self.registry.register(_KeyCacheCollector(stats))

    def rate_limit_backend_changed(self, up: bool) -> None:
        self.rate_limit_backend_up.set(1 if up else 0)
        if not up:
            self.rate_limit_fallbacks.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
