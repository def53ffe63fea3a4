"""The HTML rule of the Recruitment API's free-text advert fields.

shortDescription, description, outcomeDescription, trainingDescription,
additionalTrainingDescription, thingsToConsider, employerDescription,
wage.companyBenefitsInformation and recruitingNationallyDetails may hold a little HTML:
``p``, ``br``, ``ul`` and ``li``, with no attributes. ``check_html`` either rejects a
value with one message or returns it re-serialised from the parsed tree, so what is
stored and later shown in the Display advert API is only ever our own four tags and
escaped text, never the caller's raw markup.

The real platform checks these fields twice: das-apim-endpoints
(``src/VacanciesManage/SFA.DAS.VacanciesManage/Services/HtmlValidatorService.cs``,
HtmlAgilityPack) and das-recruit-api (``src/Recruit.Api/Validators/HtmlSanitiser.cs``,
HtmlSanitizer on AngleSharp, allowing exactly p, br, ul and li with no attributes and
failing when anything would be removed). The messages reuse their wording ("Tag <div>
is not allowed.", "<script> tags are not allowed.", "End tag </p> was not found.", ...).

Why a strict tokenizer of our own rather than an HTML library: an HTML5 tree builder
silently repairs broken markup (``<p><ul>`` becomes ``<p></p><ul>``, a missing ``</li>``
is implied), so "tags balance and nest" cannot be read off its tree; and the standard
library's ``html.parser`` is lenient in its own non-standard ways and quadratic on some
malformed input in Python 3.11. The grammar we accept is tiny (seven tag spellings and
text), so this module reads it exactly as the HTML Standard's tokenizer would, rejects
everything else. The two then check each other: a value is accepted only when a real
HTML5 parser (Lexbor, through selectolax) builds the same tree from it, and what is stored
is serialised from that parser's tree; the test suite compares them on random input.

Decisions, where HTML or the real service leave a choice:

- ``p`` holds text and ``br`` only (HTML's content model: a ``ul`` or ``p`` start tag
  would silently close it in a browser). ``li`` may hold text, ``br``, ``p`` and a
  nested ``ul``, as HTML allows and the real sanitiser keeps.
- End tags are required for ``p``, ``li`` and ``ul`` although HTML lets some be
  implied; ``</br>`` is rejected (browsers read it as a second ``<br>``).
- Only ``br`` may be written self-closing (``<br/>``, ``<br />``); ``<p/>`` is an open
  ``<p>`` to a browser, so it is rejected rather than guessed at.
- Tag names are case-insensitive (``<P>`` is ``<p>``) and may be followed by spaces
  (``<p >``); output is lower-case. ``< p>`` is text, as in HTML.
- A ``<`` that cannot start a tag ("5 < 6") is text, as in HTML, and comes out as
  ``&lt;``. Markup declarations (comments, CDATA, doctype) and processing instructions
  are rejected.
- Character references are decoded as HTML decodes them in text (legacy names without
  ";" included) and text is re-escaped on output, so ``&lt;script&gt;`` and
  ``&#60;script&#62;`` both come out as ``&lt;script&gt;``.
- Control characters (other than tab and newlines), lone surrogates and Unicode
  noncharacters are rejected, typed or as references: HTML calls them parse errors, the
  real service's character whitelist rejects them, and a lone surrogate cannot be
  encoded as UTF-8 at all. CR and CRLF become LF, as every HTML parser reads them; a CR
  given as ``&#13;`` stays one and is written back as ``&#13;``.
- Markup with no visible text (``<p> </p>``) is rejected, as the real sanitiser does;
  plain whitespace is left to the caller's "required" rule.
- Elements may nest at most ``MAX_DEPTH`` deep. No advert needs more, and browsers
  flatten very deep trees (so deep input would not display as parsed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from html.entities import html5
from typing import NoReturn, TypeAlias

from selectolax.lexbor import LexborHTMLParser, LexborNode

ALLOWED_TAGS = ("p", "br", "ul", "li")
MAX_DEPTH = 32

# Characters HTML calls parse errors in text, which the real service also refuses:
# C0 controls but tab, LF and CR; DEL and C1 controls; lone surrogates; noncharacters.
_INVALID_BMP_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# The other noncharacters end in FFFE or FFFF in planes 1 to 16; listing them in the
# class above would make every search ten times slower, so they are found separately.
_ASTRAL_CHARACTER = re.compile("[\U00010000-\U0010ffff]")
# Where HTML's tokenizer leaves text: "<" and a letter, "/", "!" or "?"; any other "<"
# ("5 < 6") stays text. A tag is "<" or "</" and an ASCII letter, the name running to
# whitespace, "/" or ">"; groups: "/" of an end tag, name, "/" of "<br/>", closing ">"
# (absent when something else follows the name).
_MARKUP = re.compile(r"<(?:(/?)([A-Za-z][^\t\n\f />]*)(?:[\t\n\f ]*(/?)(>))?|[/!?])")
_TAG_REST = re.compile(r"[\t\n\f /]*([^\t\n\f />][^\t\n\f />=]*)?")
# Character references as the HTML tokenizer finds them in text. No entity name is
# longer than 32 characters, so the cap changes no result and keeps the work linear.
_REFERENCE = re.compile(r"&(?:#[xX]([0-9A-Fa-f]+);?|#([0-9]+);?|[A-Za-z][A-Za-z0-9]{0,31};?)")
_ASCII_WHITESPACE = " \t\n\r\f"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})

_ONLY_TAGS = "must only contain the following HTML tags: " + ", ".join(ALLOWED_TAGS)
_WELL_FORMED = "must be well-formed HTML"
_NO_ATTRIBUTES = "must not contain HTML attributes"
_INVALID_CHARACTERS = "contains some invalid characters"


@dataclass(frozen=True, slots=True)
class HtmlResult:
    """``html`` is the safe value to store when the input is valid, else ``error`` says why."""

    html: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Element:
    tag: str
    children: list[Node] = field(default_factory=list)


Node: TypeAlias = Element | str
"""A parsed node: an element, or a run of decoded text."""


class InvalidHtml(ValueError):
    """The input breaks the rule. ``summary`` follows the field's label in the message;
    ``detail`` (the real service's sentence, where it has one) names the problem."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(f"{summary}. {detail}".strip())
        self.summary = summary
        self.detail = detail

    def message(self, field_label: str) -> str:
        return f"{field_label} {self.summary}." + (f" {self.detail}" if self.detail else "")


def check_html(text: str, field_label: str = "Description") -> HtmlResult:
    """Check one HTML field. ``field_label`` starts the message (the real API keys
    errors by field, and its validator calls every field "Description").

    What is stored is serialised from the tree a browser-grade HTML5 parser (Lexbor)
    builds from the checked markup, and only if that tree is exactly the one this module
    parsed: markup is never stored unless a browser would read it as we did."""
    try:
        nodes = parse_html(text)
        browser = browser_tree(serialise(nodes))
        if _merged(browser) != _merged(nodes):
            raise InvalidHtml(_WELL_FORMED, "A browser would read this markup differently.")
    except InvalidHtml as problem:
        return HtmlResult(html=None, error=problem.message(field_label))
    return HtmlResult(html=serialise(browser), error=None)


def browser_tree(markup: str) -> list[Node]:
    """What an HTML5 parser (Lexbor, as in browsers) builds from ``markup`` as the content
    of an element. Attributes, comments and unknown elements appear as elements whose tag
    is not one of ours, so such a tree never equals one ``parse_html`` builds."""
    root = LexborHTMLParser(markup, is_fragment=True).root
    return [] if root is None else [_converted(node) for node in root.iter(include_text=True)]


def plain_text(markup: str) -> str:
    """The words a browser shows for stored advert HTML, without its markup and with
    whitespace collapsed: for pages that quote an advert rather than display it."""
    root = LexborHTMLParser(markup, is_fragment=True).root
    text = root.text(deep=True, separator=" ") if root is not None else ""
    return " ".join(text.split())


def _converted(node: LexborNode) -> Node:
    if node.tag == "-text":
        return node.text_content or ""
    tag = node.tag if not node.attributes else f"{node.tag} {dict(node.attributes)}"
    return Element(tag or "?", [_converted(child) for child in node.iter(include_text=True)])


def _merged(nodes: list[Node]) -> list[Node]:
    """The tree with adjacent text runs joined, for comparing two parsers' trees."""
    merged: list[Node] = []
    for node in nodes:
        if isinstance(node, str):
            if merged and isinstance(merged[-1], str):
                merged[-1] += node
            elif node:
                merged.append(node)
        else:
            merged.append(Element(node.tag, _merged(node.children)))
    return merged


def submitted_length(text: str) -> int:
    """The length the real service's limits count: .NET ``string.Length`` of the raw
    value, in UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text: str) -> list[Node]:
    """The value's top-level nodes, or ``InvalidHtml`` for the first problem found."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _invalid_character(text)
    if bad is not None:
        raise InvalidHtml(_INVALID_CHARACTERS, f"Character U+{ord(bad):04X} is not allowed.")
    return _Builder().build(text)


def serialise(nodes: list[Node]) -> str:
    """Markup for a parsed tree: lower-case tags, ``<br>`` without a slash, text escaped."""
    out: list[str] = []
    # Iterative, so deep trees cannot exhaust the call stack: each level is an iterator
    # over its children and the end tag to write when they are done.
    levels: list[tuple[Iterator[Node], str]] = [(iter(nodes), "")]
    while levels:
        children, end_tag = levels[-1]
        for node in children:
            if isinstance(node, str):
                out.append(node.translate(_ESCAPES))
            elif node.tag == "br":
                out.append("<br>")
            else:
                out.append(f"<{node.tag}>")
                levels.append((iter(node.children), f"</{node.tag}>"))
                break
        else:
            out.append(end_tag)
            levels.pop()
    return "".join(out)


class _Builder:
    """One pass over the input: each tag is checked where it stands and the tree built
    as it goes, so the first problem stops the work and long input stays linear."""

    def __init__(self) -> None:
        self.top: list[Node] = []
        self.open: list[Element] = []
        self.has_element = False
        self.has_visible_text = False

    def build(self, text: str) -> list[Node]:
        position = 0
        while (markup := _MARKUP.search(text, position)) is not None:
            if markup.start() > position:
                self._text(text[position : markup.start()])
            position = self._tag(text, markup)
        if position < len(text):
            self._text(text[position:])
        if self.open:
            raise InvalidHtml(_WELL_FORMED, f"End tag </{self.open[-1].tag}> was not found.")
        if self.has_element and not self.has_visible_text:
            raise InvalidHtml("must contain some text, not only HTML tags")
        return self.top

    def _tag(self, text: str, markup: re.Match[str]) -> int:
        """Check and apply the tag that ``markup`` matched; where the input goes on."""
        end_slash, raw_name, self_closing, closed = markup.group(1, 2, 3, 4)
        if raw_name is None:
            _reject_other_markup(text, markup.start())
        is_end = end_slash == "/"
        # HTML lower-cases ASCII letters only; str.lower() would turn the Kelvin sign
        # into "k" and so make names HTML does not know.
        name = raw_name.lower() if raw_name.isascii() else raw_name
        if name in ("script", "style"):
            raise InvalidHtml(_ONLY_TAGS, f"<{name}> tags are not allowed.")
        if name not in ALLOWED_TAGS:
            raise InvalidHtml(_ONLY_TAGS, f"Tag <{_shown(name)}> is not allowed.")
        if closed is None:
            _reject_tag_rest(text, markup.end(2), name, is_end)
        if is_end:
            if self_closing:
                raise InvalidHtml(_WELL_FORMED, f"End tag </{name}/> should be written </{name}>.")
            self._end(name)
        else:
            if self_closing and name != "br":
                raise InvalidHtml(
                    _WELL_FORMED, f"<{name}/> is not allowed: only <br> may be self-closing."
                )
            self._start(name)
        return markup.end()

    def _start(self, name: str) -> None:
        parent = self.open[-1].tag if self.open else None
        if name == "li":
            if parent != "ul":
                raise InvalidHtml(_WELL_FORMED, "<li> must be inside <ul>.")
        elif parent == "ul":
            raise InvalidHtml(_WELL_FORMED, "<ul> must only contain <li>.")
        elif parent == "p" and name != "br":
            raise InvalidHtml(_WELL_FORMED, f"<{name}> is not allowed inside <p>.")
        element = Element(name)
        self._children().append(element)
        self.has_element = True
        if name != "br":
            if len(self.open) == MAX_DEPTH:
                raise InvalidHtml(
                    _WELL_FORMED, f"Tags must not be nested more than {MAX_DEPTH} deep."
                )
            self.open.append(element)

    def _end(self, name: str) -> None:
        if name == "br":
            raise InvalidHtml(_WELL_FORMED, "End tag </br> is not required.")
        if self.open and self.open[-1].tag == name:
            self.open.pop()
        elif any(element.tag == name for element in self.open):
            raise InvalidHtml(_WELL_FORMED, f"End tag </{self.open[-1].tag}> was not found.")
        else:
            raise InvalidHtml(_WELL_FORMED, f"Start tag <{name}> was not found.")

    def _children(self) -> list[Node]:
        return self.open[-1].children if self.open else self.top

    def _text(self, raw: str) -> None:
        text = _decode(raw)
        if self.open and self.open[-1].tag == "ul" and text.strip(_ASCII_WHITESPACE):
            raise InvalidHtml(_WELL_FORMED, "<ul> must only contain <li>.")
        if not self.has_visible_text and not text.isspace():
            self.has_visible_text = True
        self._children().append(text)


def _reject_other_markup(text: str, lt: int) -> NoReturn:
    """Raise for markup that is not a tag: "<!", "<?", or "</" without a tag name."""
    after = text[lt + 1 : lt + 2]
    if after == "!":
        if text.startswith("<![", lt):
            raise InvalidHtml("must not contain CDATA sections")
        if text[lt + 2 : lt + 9].lower() == "doctype":
            raise InvalidHtml("must not contain a doctype")
        # "<!--" and every other "<!" (HTML's bogus comment) hide text from the reader.
        raise InvalidHtml("must not contain HTML comments")
    if after == "?":
        raise InvalidHtml("must not contain processing instructions")
    # "</>" is dropped by browsers and "</ x>" or "</3" are comments to them.
    raise InvalidHtml(_WELL_FORMED, "'</' must be followed by a tag name.")


def _reject_tag_rest(text: str, position: int, name: str, is_end: bool) -> NoReturn:
    """Raise for a tag name followed by something other than ``>``, ``/>`` or spaces."""
    shown = f"</{name}>" if is_end else f"<{name}>"
    rest = _TAG_REST.match(text, position)
    assert rest is not None  # the pattern matches the empty string
    if rest.group(1) is not None:
        raise InvalidHtml(
            _NO_ATTRIBUTES, f"Attribute {_shown(rest.group(1))} is not allowed on {shown}."
        )
    if rest.end() < len(text):
        # "<br / >": a stray "/" followed by ">"; browsers skip it, we do not guess.
        raise InvalidHtml(_WELL_FORMED, f"Unexpected '/' in {shown}.")
    raise InvalidHtml(_WELL_FORMED, f"Tag {shown} is not closed with '>'.")


def _invalid_character(text: str) -> str | None:
    bad = _INVALID_BMP_CHARACTER.search(text)
    if bad is not None:
        return bad.group()
    if not text.isascii():
        for astral in _ASTRAL_CHARACTER.finditer(text):
            if ord(astral.group()) & 0xFFFE == 0xFFFE:
                return astral.group()
    return None


def _decode(raw: str) -> str:
    if "&" not in raw:
        return raw
    return _REFERENCE.sub(_character, raw)


def _character(reference: re.Match[str]) -> str:
    hexadecimal, decimal = reference.group(1), reference.group(2)
    if hexadecimal is None and decimal is None:
        name = reference.group()[1:]
        known = html5.get(name)
        return known if known is not None else _unknown_or_legacy_reference(reference.group())
    digits = (hexadecimal or decimal).lstrip("0")
    # Past 0x10FFFF either way; checked before int() so a million digits cost nothing.
    if len(digits) > 7:
        raise _invalid_reference(reference.group())
    code = int(digits or "0", 16 if hexadecimal is not None else 10)
    if 0x80 <= code <= 0x9F:
        # HTML maps these to the Windows-1252 characters ("&#150;" is an en dash); the
        # five that Windows-1252 leaves undefined stay C1 controls.
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            raise _invalid_reference(reference.group()) from None
    if code == 0 or code > 0x10FFFF:
        raise _invalid_reference(reference.group())
    character = chr(code)
    if _invalid_character(character) is not None:
        raise _invalid_reference(reference.group())
    return character


@lru_cache(maxsize=512)
def _unknown_or_legacy_reference(reference: str) -> str:
    """An unknown name stays as written ("&A" in "Q&A"); a legacy name without ";" is
    decoded by HTML's rule, which unescape applies ("&copy2" is "©2"). Cached, since
    "Q&A" and "R&D" are common."""
    return unescape(reference)


def _invalid_reference(reference: str) -> InvalidHtml:
    return InvalidHtml(
        _INVALID_CHARACTERS, f"Character reference {_shown(reference)} is not allowed."
    )


def _shown(value: str) -> str:
    """Caller-supplied text quoted in a message, cut short so a message stays a message."""
    return value if len(value) <= 40 else value[:40] + "…"
