"""/docs/compatibility: the project's docs/compatibility.md as a GOV.UK page, linked from
the guide, naming every decision with a test that exists."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from selectolax.lexbor import LexborHTMLParser

from apprenticeships.docs.compatibility import render

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "compatibility.md"
CODES = [f"D{n}" for n in range(1, 17)] + [f"R{n}" for n in range(1, 8)]
CODES += [f"T{n}" for n in range(1, 6)] + ["K1", "K2"]


async def test_the_page_shows_every_decision_and_every_kept_difference(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs/compatibility")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = LexborHTMLParser(response.text)
    title = page.css_first("title")
    assert title is not None and "Compatibility with the real Apprenticeship" in title.text()
    heading = page.css_first("h1.govuk-heading-xl")
    assert heading is not None
    assert heading.text() == "Compatibility with the real Apprenticeship Service APIs"
    assert heading.attributes["id"] == "compatibility-with-the-real-apprenticeship-service-apis"
    cells = " ".join(node.text() for node in page.css("table.govuk-table td"))
    for code in CODES:
        assert re.search(rf"\b{code}\b", cells), code
    assert {row.attributes.get("class") for row in page.css("tbody tr")} == {"govuk-table__row"}
    for heading_text in ("Display advert API", "Recruitment API", "The gateway"):
        assert heading_text in [h.text() for h in page.css("h3.govuk-heading-m")]


async def test_the_guide_links_to_it(client: httpx.AsyncClient) -> None:
    page = LexborHTMLParser((await client.get("/docs")).text)
    links = [a.attributes.get("href") for a in page.css("#compatibility ~ p a")]
    assert "/docs/compatibility" in links


def test_every_test_the_document_names_exists() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_\w+?)(?:\*)?`", text))
    assert len(named) >= 27
    defined = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.M))
    for name in named:
        if name.endswith("_"):  # a family, test_D16_*
            assert any(d.startswith(name) for d in defined), name
        else:
            assert name in defined, name


def test_markdown_html_is_shown_as_text_and_links_get_govuk_classes() -> None:
    html = str(render("# Title\n\n<script>alert(1)</script> and [a link](https://example.com)\n"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.com" class="govuk-link">a link</a>' in html
    assert '<h1 class="govuk-heading-xl" id="title">Title</h1>' in html
