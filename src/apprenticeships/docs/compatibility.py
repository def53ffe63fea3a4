"""``/docs/compatibility``: the project's ``docs/compatibility.md`` (how this platform
differs from the real service, and why) as a GOV.UK page.

The Markdown is the one file in the source tree; a built wheel carries a copy inside the
package (``pyproject.toml``'s force-include), so the page reads whichever is there.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

PACKAGED = "compatibility.md"
SOURCE_TREE = Path(__file__).resolve().parents[3] / "docs" / "compatibility.md"

# GOV.UK Frontend's classes for what the Markdown renders.
_CLASSES = {
    "heading_open:h1": "govuk-heading-xl",
    "heading_open:h2": "govuk-heading-l",
    "heading_open:h3": "govuk-heading-m",
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "table_open": "govuk-table app-compatibility-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "link_open": "govuk-link",
}


def markdown_text() -> str:
    packaged = resources.files("apprenticeships.docs").joinpath(PACKAGED)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return SOURCE_TREE.read_text(encoding="utf-8")


def render(text: str) -> Markup:
    """The Markdown as HTML with GOV.UK classes; raw HTML in it is shown as text."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(text)
    for index, token in enumerate(tokens):
        key = f"{token.type}:{token.tag}" if token.type == "heading_open" else token.type
        css = _CLASSES.get(key)
        if css is not None:
            token.attrSet("class", css)
        if token.type == "heading_open":
            # Headings get ids, so a section can be linked to.
            token.attrSet("id", _slug(tokens[index + 1].content))
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("class", _CLASSES["link_open"])
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # noqa: S704


def _slug(title: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return "-".join(words)
