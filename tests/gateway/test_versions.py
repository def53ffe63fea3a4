"""What the gateway says about versions in its headers, from the release dates alone."""

from __future__ import annotations

from datetime import UTC, datetime

from apprenticeships.catalog.products import DISPLAY_ADVERT, PRODUCTS
from apprenticeships.gateway.versions import Refused, Resolved, VersionTable

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
FIRST = datetime(2022, 1, 10, tzinfo=UTC)


def _headers(table: VersionTable, sent: str | None) -> dict[str, str]:
    answer = table.resolve(DISPLAY_ADVERT, sent, NOW.timestamp())
    assert isinstance(answer, Resolved if sent in ("1", "2") else Refused)
    return {name.decode(): value.decode() for name, value in answer.headers}


def test_D15_api_deprecated_versions_lists_the_deprecated_versions_while_there_are_some() -> None:
    table = VersionTable(PRODUCTS, 3, "http://127.0.0.1:8000")
    # Version 2 released six weeks ago: version 1 is deprecated for three months.
    table.load({"display-advert": [(1, FIRST), (2, datetime(2026, 10, 1, tzinfo=UTC))]})
    for sent in ("1", "2", "9", None):
        headers = _headers(table, sent)
        assert headers["api-supported-versions"] == "1, 2"
        assert headers["api-deprecated-versions"] == "1"
    assert "deprecation" in _headers(table, "1") and "deprecation" not in _headers(table, "2")
    # Once version 1 is decommissioned, or while there is only one version, none is
    # deprecated and ASP.NET sends no header at all.
    for releases in ([(1, FIRST), (2, datetime(2026, 1, 5, tzinfo=UTC))], [(2, FIRST)]):
        table.load({"display-advert": releases})
        headers = _headers(table, "2")
        assert headers["api-supported-versions"] == "2"
        assert "api-deprecated-versions" not in headers
