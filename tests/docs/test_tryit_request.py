"""Try it's parts: a form becomes exactly one sandbox request (path parameters encoded,
repeated query parameters, the body with its type), shown as a curl command that a shell
reads back as the same request; keys are masked and checked; the sandbox is called
in-process and only under /sandbox, within a time limit."""

from __future__ import annotations

import asyncio
import json
import shlex
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from apprenticeships.docs.reference import Operation, reference
from apprenticeships.docs.tryit import (
    MAX_SHOWN_BODY,
    Sandbox,
    TryRequest,
    key_problem,
    mask,
)
from apprenticeships.errors import FieldProblem

KEY = "appr_sandbox_" + "A1b2C3d4" * 6
DOCUMENT: dict[str, Any] = {
    "info": {"title": "Test API", "version": "1"},
    "paths": {
        "/things/{id}": {
            "post": {
                "operationId": "MakeThing",
                "summary": "Make a thing",
                "parameters": [
                    {"name": "X-Version", "in": "header", "required": True,
                     "schema": {"type": "string", "enum": ["1"]}},
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "Tags", "in": "query",
                     "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "Sort", "in": "query",
                     "schema": {"type": "string", "enum": ["Asc", "Desc"]}},
                    {"name": "Draft", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "Note", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "name": {"type": "string", "examples": ["Widget"]}}}}}},
            }
        }
    },
}  # fmt: skip


@pytest.fixture
def operation() -> Operation:
    [found] = reference(DOCUMENT).operations
    return found


def test_the_form_asks_for_each_parameter_as_it_can_be_sent(operation: Operation) -> None:
    inputs = {i.field: i for i in operation.inputs}
    assert list(inputs) == ["header.X-Version", "path.id", "query.Tags", "query.Sort",
                            "query.Draft", "query.Note"]  # fmt: skip
    assert inputs["header.X-Version"].value == "1"
    assert inputs["query.Tags"].repeated
    assert inputs["query.Sort"].choices == ("Asc", "Desc")
    assert inputs["query.Draft"].choices == ("true", "false")
    assert inputs["path.id"].required and not inputs["query.Note"].required
    assert json.loads(operation.body_example) == {"name": "Widget"}


def test_a_filled_form_is_one_request_with_its_parameters_in_the_documents_order(
    operation: Operation,
) -> None:
    form = {
        "key": f"  {KEY} ",
        "path.id": "a/b c",
        "query.Tags": "red, blue,,green ",
        "query.Sort": "",
        "query.Note": "it's 100%",
        "header.X-Version": "1",
        "body": '{"name": "Widget"}',
    }
    request, problems = TryRequest.of(operation, form)
    assert problems == []
    assert request is not None
    assert request.method == "POST"
    assert request.path == "/sandbox/things/a%2Fb%20c"
    assert request.query == (("Tags", "red"), ("Tags", "blue"), ("Tags", "green"),
                             ("Note", "it's 100%"))  # fmt: skip
    assert request.headers == (("X-Version", "1"), ("Content-Type", "application/json"))
    assert (
        request.target
        == "/sandbox/things/a%2Fb%20c?Tags=red&Tags=blue&Tags=green&Note=it%27s+100%25"
    )


def test_the_curl_command_is_the_same_request_when_a_shell_reads_it(
    operation: Operation,
) -> None:
    body = 'JSON\n{"name": "it\'s $HOME"}\nJSON_END'
    form = {"key": KEY, "path.id": "1", "header.X-Version": "1'; rm -rf /", "body": body}
    request, _ = TryRequest.of(operation, form)
    assert request is not None
    command = request.curl("http://127.0.0.1:8000", "Ocp-Apim-Subscription-Key", "KEY_VAR")
    first = command.split("\n", 1)[0]
    # The body is a here-document whose end marker appears nowhere in it.
    assert command.endswith("\n" + body + "\nJSON_END_END")
    words = shlex.split(command.split(" <<", 1)[0].replace("\\\n", " "))
    assert words == [
        "curl", "-sS", "-i", "-X", "POST", "http://127.0.0.1:8000/sandbox/things/1",
        "-H", "Ocp-Apim-Subscription-Key: $KEY_VAR",  # expanded by the shell, from the variable
        "-H", "X-Version: 1'; rm -rf /",
        "-H", "Content-Type: application/json",
        "--data-binary", "@-",
    ]  # fmt: skip
    assert KEY not in command
    assert first.startswith("curl -sS -i -X POST 'http://127.0.0.1:8000/sandbox/things/1'")


def test_without_a_key_or_a_path_parameter_nothing_is_sent(operation: Operation) -> None:
    request, problems = TryRequest.of(operation, {"key": "", "path.id": " "})
    assert request is None
    assert problems == [
        FieldProblem("try-MakeThing-key", "Enter your sandbox key"),
        FieldProblem("try-MakeThing-path-id", "Enter id"),
    ]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (KEY, None),
        ("appr_live_whatever", None),  # the gateway judges keys; only their characters here
        ("", "Enter your sandbox key"),
        ("appr sandbox", "Enter your sandbox key as it was shown to you, without spaces"),
        ("appr_sandbox_ключ", "Enter your sandbox key as it was shown to you, without spaces"),
        ("a\r\nX-Injected: 1", "Enter your sandbox key as it was shown to you, without spaces"),
        ("x" * 201, "Enter your sandbox key as it was shown to you, without spaces"),
    ],
)
def test_keys_are_only_printable_ascii(key: str, problem: str | None) -> None:
    assert key_problem(key) == problem


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        (KEY, "appr_sandbox_…C3d4"),
        ("appr_live_" + "x" * 60 + "WXYZ", "appr_live_…WXYZ"),
        ("appr_sandbox_short", "appr_sandbox_…"),
        ("secret", "…"),
        ("not-a-key-but-long-enough", "…ough"),
    ],
)
def test_keys_are_shown_back_masked(key: str, shown: str) -> None:
    assert mask(key) == shown


class Recorder:
    """An ASGI app standing in for the gateway: records what it got and answers."""

    def __init__(self, body: bytes = b'{"ok": true}', stall: bool = False) -> None:
        self.scopes: list[Scope] = []
        self.bodies: list[bytes] = []
        self.body = body
        self.stall = stall

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        message = await receive()
        self.bodies.append(message.get("body", b""))
        if self.stall:
            await asyncio.Event().wait()
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": self.body})


async def test_the_sandbox_gets_the_request_with_the_key_in_its_header(
    operation: Operation,
) -> None:
    app = Recorder()
    request, _ = TryRequest.of(
        operation,
        {"key": KEY, "path.id": "7", "query.Draft": "true", "header.X-Version": "1",
         "body": '{"name":"W"}'},
    )  # fmt: skip
    assert request is not None
    answer = await Sandbox(app, "http://127.0.0.1:8000", "Ocp-Apim-Subscription-Key").send(
        request, KEY
    )
    [scope] = app.scopes
    assert (scope["method"], scope["path"], scope["query_string"]) == (
        "POST", "/sandbox/things/7", b"Draft=true",
    )  # fmt: skip
    headers = dict(scope["headers"])
    assert headers[b"ocp-apim-subscription-key"] == KEY.encode()
    assert headers[b"host"] == b"127.0.0.1:8000"
    assert app.bodies == [b'{"name":"W"}']
    assert answer.status == 201 and answer.reason == "Created"
    assert answer.body == '{\n  "ok": true\n}'
    assert not answer.truncated


async def test_a_long_answer_is_cut_and_a_slow_one_given_up(operation: Operation) -> None:
    request, _ = TryRequest.of(operation, {"key": KEY, "path.id": "7", "body": "{}"})
    assert request is not None
    big = Recorder(body=b"[" + b"1," * MAX_SHOWN_BODY + b"1]")
    answer = await Sandbox(big, "http://x", "K").send(request, KEY)
    assert answer.truncated and len(answer.body) == MAX_SHOWN_BODY
    with pytest.raises(TimeoutError):
        await Sandbox(Recorder(stall=True), "http://x", "K", timeout=0.05).send(request, KEY)


async def test_nothing_but_the_sandbox_can_be_called(operation: Operation) -> None:
    live = TryRequest("GET", "/vacancies/vacancy", (), (), None)
    app = Recorder()
    with pytest.raises(ValueError, match="sandbox only"):
        await Sandbox(app, "http://x", "K").send(live, KEY)
    assert app.scopes == []
