"""The HTML fields of a new advert, checked in the order and words of the real service.

The real service checks these fields twice:

1. The outer API's ``HtmlValidatorService`` (das-apim-endpoints ``VacanciesManage``):
   tags must balance in the source, and in the parsed document only ``p``, ``br``, ``ul``
   and ``li`` may appear, ``ul`` holding only ``li`` and ``li`` only inside ``ul``. Every
   problem it finds is joined with "; " into one message. ``outer_problems`` follows it,
   on Lexbor's HTML5 parse where the real one uses AngleSharp's (both parse as the HTML
   Standard says, so a ``<style>`` or ``<script>`` at the very start lands in the
   document's head and this stage does not see it).
2. The Recruit API's ``ValidHtmlCharacters``: a sanitiser keeping only those four tags
   with no attributes, and a set of allowed characters; either failing is "<label>
   contains some invalid characters".

Our own rule (``vacancies.html.check_html``) is stricter than both (it re-serialises what it
stores, so it must read the markup exactly as a browser would). What it refuses that
neither real check does is answered in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from apprenticeships.vacancies.html import InvalidHtml, check_html, parse_html

_ALLOWED = {"p", "br", "ul", "li"}
_VOID = {"br"}
# The Recruit API's allowed characters in HTML fields (``HtmlValidator``); .NET's \s is
# written out, since Python's also matches the separators U+001C-U+001F.
_HTML_CHARACTERS = re.compile(
    "[a-zA-Z0-9\u0080-\uffa7\U00010000-\U0010ffff" + r"?$@#()\"'!,+\-=_:;.&€£*%\t\n\v\f\r /<>\[\]]+"
)
# What our rule refuses that the Recruit API's sanitiser refuses too (it removes the
# thing and then fails): our summaries of those problems.
_SANITISER_REFUSES = (
    "contains some invalid characters",
    "must only contain the following HTML tags",
    "must not contain HTML attributes",
    "must not contain HTML comments",
    "must not contain CDATA sections",
    "must not contain processing instructions",
    "must contain some text",
)


def outer_problems(text: str) -> list[str]:
    """What the outer API's HTML validator says about ``text``, in its order."""
    if not text.strip():
        return []
    problems = _source_balance(text)
    body = LexborHTMLParser(text).body
    if body is not None:
        _content_model(body, problems)
    return problems


def _tag_tokens(text: str) -> Iterator[tuple[bool, str, bool]]:
    """What the outer API's ``TagToken`` pattern matches, in order: (end tag, name,
    written self-closing). The pattern is ``<\\s*(/?)\\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)\\s*>``;
    run as a regular expression it takes quadratic time on text like "<a<a<a...", so it
    is followed by hand: a tag runs from its name to the first ">" after it."""
    length = len(text)
    start = text.find("<")
    while start != -1:
        at = start + 1
        while at < length and text[at].isspace():
            at += 1
        closing = at < length and text[at] == "/"
        if closing:
            at += 1
            while at < length and text[at].isspace():
                at += 1
        if at < length and text[at].isascii() and text[at].isalpha():
            end = at + 1
            while end < length and text[end].isascii() and text[end].isalnum():
                end += 1
            close = text.find(">", end)
            if close == -1:
                return  # no ">" left: nothing further can be a tag
            before = close
            while before > end and text[before - 1].isspace():
                before -= 1
            yield closing, text[at:end], before > end and text[before - 1] == "/"
            start = text.find("<", close + 1)
        else:
            start = text.find("<", start + 1)


def _source_balance(text: str) -> list[str]:
    problems: list[str] = []
    open_tags: list[str] = []
    for closing, raw_name, self_closed in _tag_tokens(text):
        name = raw_name.lower()
        if name in _VOID or self_closed:
            continue
        if not closing:
            open_tags.append(name)
        elif not open_tags:
            problems.append(f"Malformed HTML: stray </{name}> with no matching open tag.")
        elif open_tags[-1] != name:
            problems.append(
                f"Malformed HTML: </{name}> does not match the open <{open_tags[-1]}> — "
                "likely an unclosed tag."
            )
            if name in open_tags:
                while open_tags and open_tags.pop() != name:
                    pass
        else:
            open_tags.pop()
    # .NET enumerates a stack from its top.
    problems.extend(f"Malformed HTML: <{name}> is never closed." for name in reversed(open_tags))
    return problems


def _content_model(root: LexborNode, problems: list[str]) -> None:
    # Depth first, parents before children, as the real validator recurses; a list of
    # pending nodes rather than recursion, so deep markup costs no stack.
    pending = _elements(root)
    pending.reverse()
    while pending:
        element = pending.pop()
        name = element.tag or ""
        if name in ("script", "style"):
            problems.append(f"<{name}> tags are not allowed.")
        elif name not in _ALLOWED:
            problems.append(f"Tag <{name}> is not allowed.")
        if name == "ul":
            for child in element.iter(include_text=True):
                if child.tag == "-text":
                    if (child.text_content or "").strip():
                        problems.append(
                            "Text is not allowed directly inside <ul>; wrap it in <li>."
                        )
                elif child.tag != "li" and not (child.tag or "-").startswith("-"):
                    problems.append(f"<ul> may only contain <li>, found <{child.tag}>.")
        elif name == "li" and (element.parent is None or element.parent.tag != "ul"):
            problems.append("<li> must be inside <ul>.")
        pending.extend(reversed(_elements(element)))


def _elements(node: LexborNode) -> list[LexborNode]:
    """The node's child elements (Lexbor names other nodes "-text", "-comment", ...)."""
    return [child for child in node.iter() if child.tag and not child.tag.startswith("-")]


@dataclass(frozen=True, slots=True)
class HtmlCheck:
    """The value to store, or the one message for the field (``outer`` when it comes from
    the outer API's stage, which the real service reports before any other of the
    field's rules)."""

    html: str | None
    error: str | None = None
    outer: bool = False


def check_field(text: str, invalid_characters: str, label: str) -> HtmlCheck:
    """Check an HTML field: the outer API's validator first, then the Recruit API's
    characters and sanitiser (``invalid_characters`` is its message), then our rule
    (its messages start with ``label``)."""
    outer = outer_problems(text)
    if outer:
        return HtmlCheck(None, "; ".join(outer), outer=True)
    if not _HTML_CHARACTERS.fullmatch(text):
        return HtmlCheck(None, invalid_characters)
    checked = check_html(text, label)
    if checked.error is None:
        return HtmlCheck(checked.html)
    try:
        parse_html(text)
    except InvalidHtml as problem:
        if problem.summary.startswith(_SANITISER_REFUSES):
            return HtmlCheck(None, invalid_characters)
    return HtmlCheck(None, checked.error)
