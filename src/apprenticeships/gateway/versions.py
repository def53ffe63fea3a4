"""Which versions of each product are served now, and what the gateway says about them.

Built from the release dates in the database, refreshed when the catalog changes, and
evaluated per request from memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from apprenticeships.catalog.lifecycle import VersionState, VersionStatus, version_statuses
from apprenticeships.catalog.products import Product

Headers = tuple[tuple[bytes, bytes], ...]
_MAX_ECHO = 24


@dataclass(frozen=True, slots=True)
class Resolved:
    version: int
    # api-supported-versions (and api-deprecated-versions while a version is deprecated),
    # plus Deprecation, Sunset and Link when this version is the deprecated one.
    headers: Headers


@dataclass(frozen=True, slots=True)
class Refused:
    message: str
    headers: Headers


@dataclass(frozen=True, slots=True)
class _ProductView:
    valid_until: float
    supported: Headers
    by_version: Mapping[int, Resolved | Refused]
    available: str
    current: int | None


class VersionTable:
    def __init__(
        self, products: Iterable[Product], deprecation_months: int, public_url: str
    ) -> None:
        self._products = {p.id: p for p in products}
        self._months = deprecation_months
        self._public_url = public_url
        self._releases: dict[str, list[tuple[int, datetime]]] = {}
        self._views: dict[str, _ProductView] = {}

    def load(self, releases: Mapping[str, list[tuple[int, datetime]]]) -> None:
        self._releases = {k: list(v) for k, v in releases.items()}
        self._views = {}

    def statuses(self, product: Product, now: datetime) -> list[VersionStatus]:
        return version_statuses(
            self._releases.get(product.id, []), product.versions, now, self._months
        )

    def resolve(self, product: Product, header: str | None, now: float) -> Resolved | Refused:
        view = self._views.get(product.id)
        if view is None or now >= view.valid_until:
            view = self._build(product, now)
            self._views[product.id] = view
        if header is None:
            example = view.current if view.current is not None else 1
            return Refused(
                "Resource not found: the X-Version header is missing. Send the API version "
                f"as a whole number, for example X-Version: {example}.",
                view.supported,
            )
        if header.isascii() and header.isdigit() and len(header) <= _MAX_ECHO:
            if len(header) <= 9:
                found = view.by_version.get(int(header))
                if found is not None:
                    return found
            shown = header.lstrip("0") or "0"
        else:
            shown = _echo(header)
        return Refused(
            f"Resource not found: version {shown} of the {product.name} does not exist. "
            f"Available versions: {view.available}.",
            view.supported,
        )

    def _build(self, product: Product, now: float) -> _ProductView:
        moment = datetime.fromtimestamp(now, UTC)
        statuses = self.statuses(product, moment)
        live = [s for s in statuses if s.state in (VersionState.CURRENT, VersionState.DEPRECATED)]
        available = ", ".join(str(s.version) for s in live) or "none"
        supported: Headers = ((b"api-supported-versions", available.encode()),)
        deprecated = [s.version for s in statuses if s.state is VersionState.DEPRECATED]
        if deprecated:
            # As ASP.NET API versioning reports them (compatibility.md D15): whole numbers,
            # comma-separated, and no header at all while no version is deprecated.
            listed = ", ".join(str(version) for version in deprecated)
            supported += ((b"api-deprecated-versions", listed.encode()),)
        current = next((s.version for s in statuses if s.state is VersionState.CURRENT), None)
        by_version: dict[int, Resolved | Refused] = {}
        # The view must be rebuilt when a deprecation ends or a future release starts.
        changes = [
            s.sunset_at.timestamp()
            for s in statuses
            if s.sunset_at and s.sunset_at.timestamp() > now
        ]
        changes += [
            at.timestamp() for _, at in self._releases.get(product.id, []) if at.timestamp() > now
        ]
        valid_until = min(changes, default=math.inf)
        for status in statuses:
            if status.state is VersionState.CURRENT:
                by_version[status.version] = Resolved(status.version, supported)
            elif status.state is VersionState.DEPRECATED:
                assert status.deprecated_at is not None
                assert status.sunset_at is not None
                docs = f"{self._public_url}/docs/{product.id}/v"
                # The successor's reference, and this version's own, which says when it
                # stops (RFC 9745's "deprecation" link).
                links = (
                    f'<{docs}{status.successor}>; rel="successor-version", '
                    f'<{docs}{status.version}>; rel="deprecation"; type="text/html"'
                )
                by_version[status.version] = Resolved(
                    status.version,
                    (
                        *supported,
                        (b"deprecation", f"@{int(status.deprecated_at.timestamp())}".encode()),
                        (b"sunset", format_datetime(status.sunset_at, usegmt=True).encode()),
                        (b"link", links.encode()),
                    ),
                )
            elif status.state is VersionState.DECOMMISSIONED:
                assert status.sunset_at is not None
                by_version[status.version] = Refused(
                    f"Resource not found: version {status.version} of the {product.name} was "
                    f"decommissioned on {status.sunset_at:%Y-%m-%d}. Use version {status.successor}.",
                    supported,
                )
        return _ProductView(valid_until, supported, by_version, available, current)


def _echo(value: str) -> str:
    """A client's header value made safe and short enough to quote back."""
    cleaned = "".join(ch if " " <= ch <= "~" else "?" for ch in value[: _MAX_ECHO + 1])
    if len(value) > _MAX_ECHO:
        cleaned = cleaned[:_MAX_ECHO] + "..."
    return f'"{cleaned}"'
