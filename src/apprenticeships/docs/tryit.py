"""Try it: an operation of a reference page called in the sandbox, from a form.

A person pastes their sandbox key and fills the operation's parameters and body;
``TryRequest.of`` turns the form into the request, and ``Sandbox.send`` makes it
in-process through the platform's own gateway, always under ``/sandbox``, so it is
checked, rate limited and counted like any other call, and a live key gets the gateway's
401 for the sandbox. Only the operations of the published documents can be called:
the method, the path and the parameters' names come from the document, never from the
form, and nothing here opens a network connection.

The key is used for that one request and forgotten: it is not stored, not logged
(the gateway never logs keys), and not shown again except masked (``mask``). The request
is shown as a curl command that reads the key from an environment variable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urlencode

import httpx
from starlette.types import ASGIApp

from apprenticeships.docs.reference import Input, Operation
from apprenticeships.errors import FieldProblem

SANDBOX_PREFIX = "/sandbox"
KEY_FIELD = "key"
BODY_FIELD = "body"
# Keys are 60-odd printable ASCII characters; anything else cannot be a key, and must
# not reach a header (or an error message that might be logged).
MAX_KEY_LENGTH = 200
# The answer's body is shown up to this size.
MAX_SHOWN_BODY = 256 * 1024
TIMEOUT_SECONDS = 30.0
_KEY_PREFIXES = ("appr_sandbox_", "appr_live_")


def mask(key: str) -> str:
    """How a pasted key is shown back: its kind and last four characters."""
    prefix = next((p for p in _KEY_PREFIXES if key.startswith(p)), "")
    tail = key[-4:] if len(key) >= len(prefix) + 12 else ""
    return f"{prefix}…{tail}"


def key_problem(key: str) -> str | None:
    if not key:
        return "Enter your sandbox key"
    if len(key) > MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in key):
        return "Enter your sandbox key as it was shown to you, without spaces"
    return None


@dataclass(frozen=True, slots=True)
class TryRequest:
    """What the form asks for, as the request the sandbox gets (without the key)."""

    method: str
    # Under /sandbox, the path parameters filled in and percent-encoded.
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: str | None

    @classmethod
    def of(
        cls, operation: Operation, form: Mapping[str, str]
    ) -> tuple[TryRequest | None, list[FieldProblem]]:
        """The request, or the form's problems (a missing key or path parameter: the
        rest is for the API to judge, as it would for any client)."""
        problems: list[FieldProblem] = []
        problem = key_problem(form.get(KEY_FIELD, "").strip())
        if problem is not None:
            problems.append(FieldProblem(field_id(operation, KEY_FIELD), problem))
        path = operation.path
        query: list[tuple[str, str]] = []
        headers: list[tuple[str, str]] = []
        for item in operation.inputs:
            value = form.get(item.field, "").strip()
            if item.location == "path":
                if not value:
                    problems.append(
                        FieldProblem(field_id(operation, item.field), f"Enter {item.name}")
                    )
                path = path.replace("{" + item.name + "}", quote(value, safe=""))
            elif not value:
                continue
            elif item.location == "query":
                values = [v.strip() for v in value.split(",")] if item.repeated else [value]
                query.extend((item.name, v) for v in values if v)
            elif item.location == "header":
                if not all(" " <= ch <= "~" for ch in value):
                    problems.append(
                        FieldProblem(
                            field_id(operation, item.field),
                            f"Enter {item.name} in plain characters",
                        )
                    )
                headers.append((item.name, value))
        body: str | None = None
        if operation.body is not None:
            body = form.get(BODY_FIELD, "")
            headers.append(("Content-Type", operation.body.media_type))
        if problems:
            return None, problems
        return cls(operation.method, SANDBOX_PREFIX + path, tuple(query), tuple(headers), body), []

    @property
    def target(self) -> str:
        """The path and query string."""
        return self.path + ("?" + urlencode(self.query) if self.query else "")

    def curl(self, public_url: str, key_header: str, key_variable: str) -> str:
        """The request as a shell command, the key read from ``key_variable``."""
        lines = ["curl -sS -i" + ("" if self.method == "GET" else f" -X {self.method}")]
        lines[0] += " " + _quoted(public_url.rstrip("/") + self.target)
        lines.append(f'-H "{key_header}: ${key_variable}"')
        lines.extend("-H " + _quoted(f"{name}: {value}") for name, value in self.headers)
        if self.body is None:
            return " \\\n  ".join(lines)
        end = "JSON"
        while end in self.body.splitlines():
            end += "_END"
        lines.append(f"--data-binary @- <<'{end}'")
        return " \\\n  ".join(lines) + "\n" + self.body + "\n" + end


@dataclass(frozen=True, slots=True)
class TryResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    # The body was longer than this page shows.
    truncated: bool

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return ""


def _quoted(text: str) -> str:
    """A shell word in single quotes, always (so every line reads alike)."""
    return "'" + text.replace("'", "'\\''") + "'"


def field_id(operation: Operation, field: str) -> str:
    """A form field's id on the page: unique among every operation's forms."""
    return f"try-{operation.anchor}-{field}".replace(".", "-")


def input_id(operation: Operation, item: Input) -> str:
    return field_id(operation, item.field)


class Sandbox:
    """Calls the platform's gateway in-process, under ``/sandbox`` only."""

    def __init__(
        self,
        gateway: ASGIApp,
        public_url: str,
        key_header: str,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._transport = httpx.ASGITransport(app=gateway)
        self._base = public_url.rstrip("/")
        self._key_header = key_header
        self._timeout = timeout

    async def send(self, request: TryRequest, key: str) -> TryResponse:
        """The gateway's answer; ``TimeoutError`` when it takes longer than allowed."""
        if not request.path.startswith(SANDBOX_PREFIX + "/"):
            raise ValueError("try it calls the sandbox only")
        headers = [(self._key_header, key), *request.headers]
        async with (
            asyncio.timeout(self._timeout),
            httpx.AsyncClient(transport=self._transport, base_url=self._base) as client,
        ):
            answer = await client.request(
                request.method,
                request.target,
                headers=headers,
                content=request.body.encode() if request.body is not None else None,
            )
        return _shown(answer)


def _shown(answer: httpx.Response) -> TryResponse:
    raw = answer.content
    truncated = len(raw) > MAX_SHOWN_BODY
    text = raw[:MAX_SHOWN_BODY].decode("utf-8", errors="replace")
    if not truncated and answer.headers.get("content-type", "").split(";")[0].endswith("json"):
        with contextlib.suppress(ValueError):  # a JSON type with a body that is not JSON
            text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    return TryResponse(answer.status_code, tuple(answer.headers.items()), text, truncated)
