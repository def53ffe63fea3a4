"""The documentation site at ``/docs``, public: GOV.UK Frontend pages like the portal's.

- ``/docs``: the APIs with each version's status, read from the same version table the
  gateway answers from, and the getting-started guide (``guide.py``);
- ``/docs/{product}/v{N}``: the version's reference, rendered from its OpenAPI
  document (``reference.py``), the target of the gateway's ``Link: ...;
  rel="successor-version"``;
- ``/docs/{product}/v{N}/openapi.json``: the document itself (any method; an unknown
  one is the gateway's JSON 404, as before);
- ``/docs/{product}/v{N}/try/{operation}``: try an operation in the sandbox
  (``tryit.py``). Every product has a sandbox (it mirrors the live product), so every
  GET and POST operation of a version the gateway serves has a form, on the reference
  page and here; the form posts here, with a CSRF token made as the portal's anonymous
  forms make theirs (a seed in a ``portal_csrf`` cookie, the docs' own under
  ``/docs``), and the answer page shows the request as curl and the sandbox's response.

Anything else under ``/docs`` is the GOV.UK 404 page. Nothing redirects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from apprenticeships.catalog.lifecycle import VersionState, VersionStatus
from apprenticeships.catalog.products import OwnerKind, Product, ProductId
from apprenticeships.docs import compatibility, guide
from apprenticeships.docs.openapi import OpenApiDocuments
from apprenticeships.docs.reference import Operation, Reference, reference, schema_anchor
from apprenticeships.docs.tryit import (
    BODY_FIELD,
    KEY_FIELD,
    TIMEOUT_SECONDS,
    Sandbox,
    TryRequest,
    TryResponse,
    field_id,
    input_id,
    mask,
)
from apprenticeships.gateway import responses
from apprenticeships.portal.app import ErrorPages
from apprenticeships.portal.forms import CSRF_FIELD, CsrfTokens, Form
from apprenticeships.portal.security import SecurityHeaders
from apprenticeships.portal.templating import Pages, environment
from apprenticeships.portal.web import anonymous_seed, keep_anonymous_seed, read_form

# What the gateway answers from: a product's versions and their states at a moment.
Statuses = Callable[[Product, datetime], list[VersionStatus]]

JSON = "application/json; charset=utf-8"
HOLDERS = {
    OwnerKind.EMPLOYER: "employers",
    OwnerKind.PROVIDER: "training providers",
    OwnerKind.DEVELOPER: "independent developers",
}
# States a person can still call, or needs to know are gone; unreleased ones are not listed.
LISTED_STATES = (VersionState.CURRENT, VersionState.DEPRECATED, VersionState.DECOMMISSIONED)
# Versions the gateway serves, which can be tried.
SERVED_STATES = (VersionState.CURRENT, VersionState.DEPRECATED)
TRIED_METHODS = ("GET", "POST")
KEY_HEADER = "Ocp-Apim-Subscription-Key"
SANDBOX_TIMED_OUT = f"The sandbox did not answer within {TIMEOUT_SECONDS:.0f} seconds. Try again."
# The try-it forms' CSRF seed cookie is the docs' own (the portal's is under /portal).
COOKIE_PATH = "/docs"


def docs_environment() -> Environment:
    """The portal's environment (layout, GOV.UK macros) with the docs' templates under
    ``docs/``."""
    base = environment()
    assert base.loader is not None
    env = base.overlay(
        loader=ChoiceLoader(
            [
                PrefixLoader({"docs": PackageLoader("apprenticeships.docs", "templates")}),
                base.loader,
            ]
        )
    )
    env.filters["prose"] = prose
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["capitalize_first"] = capitalize_first
    env.globals["schema_anchor"] = schema_anchor
    env.globals["field_id"] = field_id
    env.globals["input_id"] = input_id
    env.globals["tried_methods"] = TRIED_METHODS
    env.globals["key_field"] = KEY_FIELD
    env.globals["body_field"] = BODY_FIELD
    return env


_CODE = re.compile(r"`([^`]+)`")


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def prose(text: str, css: str = "govuk-body") -> Markup:
    """A description from an OpenAPI document as HTML: blank lines make paragraphs,
    `backticks` make code, everything else is escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    out = []
    for paragraph in paragraphs:
        line = " ".join(part.strip() for part in paragraph.splitlines())
        pieces: list[Markup] = []
        start = 0
        for code in _CODE.finditer(line):
            pieces.append(escape(line[start : code.start()]))
            pieces.append(Markup("<code>{}</code>").format(code.group(1)))
            start = code.end()
        pieces.append(escape(line[start:]))
        out.append(Markup('<p class="{}">{}</p>').format(css, Markup("").join(pieces)))
    return Markup("\n").join(out)


def day(moment: datetime) -> str:
    """GOV.UK's date style: 9 March 2027."""
    return f"{moment.day} {moment:%B %Y}"


def when(moment: datetime) -> str:
    """A date, with the time of day when it is not midnight: 9 March 2027 at 2:05pm UTC."""
    if (moment.hour, moment.minute) == (0, 0):
        return day(moment)
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{day(moment)} at {hour}:{moment.minute:02d}{suffix} UTC"


@dataclass(frozen=True, slots=True)
class VersionView:
    product: Product
    status: VersionStatus

    @property
    def href(self) -> str:
        return f"/docs/{self.product.id}/v{self.status.version}"

    @property
    def state(self) -> str:
        return self.status.state.value


@dataclass(frozen=True, slots=True)
class ApiView:
    product: Product
    versions: list[VersionView]

    @property
    def current(self) -> VersionView | None:
        return next((v for v in self.versions if v.status.state is VersionState.CURRENT), None)

    @property
    def holders(self) -> str:
        names = [HOLDERS[kind] for kind in OwnerKind if kind in self.product.holders]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


NAVIGATION_DOCS = "/docs"


def _navigation(active: str) -> list[dict[str, object]]:
    return [
        {"href": "/docs", "text": "API documentation", "active": active == NAVIGATION_DOCS},
        {"href": "/portal", "text": "Developer portal", "active": False},
    ]


class DocsErrorPages(ErrorPages):
    def not_found(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "message.html",
            {
                "title": "Page not found",
                "paragraphs": [
                    "If you typed the web address, check it is correct.",
                    "If you pasted the web address, check you copied the entire address.",
                ],
                "link": {"href": "/docs", "text": "Go to the API documentation"},
                "navigation": _navigation(NAVIGATION_DOCS),
            },
            status=404,
        )

    def too_large(self, request: Request) -> Response:
        return self.pages.render(
            request,
            "error.html",
            {
                "title": "The form was too large",
                "paragraphs": ["Nothing was sent. Make the request body smaller and try again."],
                "link": {"href": request.url.path, "text": "Go back to the form"},
                "navigation": _navigation(NAVIGATION_DOCS),
            },
            status=413,
        )


@dataclass(frozen=True, slots=True)
class Tried:
    """What the try-it page shows after sending: the request and the sandbox's answer."""

    request: TryRequest
    response: TryResponse
    curl: str
    masked_key: str


class DocsSite:
    def __init__(
        self,
        pages: Pages,
        documents: OpenApiDocuments,
        statuses: Statuses,
        clock: Callable[[], datetime],
        public_url: str,
        rate_limit: tuple[int, int],
        deprecation_months: int,
        gateway: ASGIApp,
        tokens: CsrfTokens,
    ) -> None:
        self.pages = pages
        self.sandbox = Sandbox(gateway, public_url, KEY_HEADER)
        self.tokens = tokens
        self.documents = documents
        self.statuses = statuses
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.rate_limit = rate_limit
        self.deprecation_months = deprecation_months
        self.errors = DocsErrorPages(pages)
        # The documents never change while the process runs, so neither do their pages'
        # contents (only the version's status, read per request).
        self._references: dict[tuple[str, int], Reference] = {}
        self._compatibility: Markup | None = None

    def apis(self, now: datetime) -> list[ApiView]:
        return [
            ApiView(
                product,
                [
                    VersionView(product, status)
                    for status in self.statuses(product, now)
                    if status.state in LISTED_STATES
                ],
            )
            for product in self.documents.products
        ]

    def guide_versions(self, apis: list[ApiView]) -> guide.Versions:
        """The Display advert versions the guide's examples call."""
        display = next((a for a in apis if a.product.id == ProductId.DISPLAY_ADVERT), None)
        versions = display.versions if display is not None else []
        current = next(
            (v.status.version for v in versions if v.status.state is VersionState.CURRENT), 1
        )
        deprecated = [v for v in versions if v.status.state is VersionState.DEPRECATED]
        shown = deprecated[0].status.version if deprecated else current
        return guide.Versions(current, shown, bool(deprecated))

    async def index(self, request: Request) -> Response:
        now = self.clock()
        apis = self.apis(now)
        versions = self.guide_versions(apis)
        calls, seconds = self.rate_limit
        context: dict[str, Any] = {
            "title": "Apprenticeship Service API documentation",
            "apis": apis,
            "examples": guide.examples(self.public_url, versions),
            "versions": versions,
            "live_key": guide.LIVE_KEY_VARIABLE,
            "sandbox_key": guide.SANDBOX_KEY_VARIABLE,
            "public_url": self.public_url,
            "calls": calls,
            "seconds": seconds,
            "deprecation_months": self.deprecation_months,
            "navigation": _navigation(NAVIGATION_DOCS),
        }
        return self.pages.render(request, "docs/index.html", context)

    async def compatibility(self, request: Request) -> Response:
        if self._compatibility is None:
            self._compatibility = compatibility.render(compatibility.markdown_text())
        context: dict[str, Any] = {
            "title": "Compatibility with the real Apprenticeship Service APIs",
            "content": self._compatibility,
            "navigation": _navigation(NAVIGATION_DOCS),
        }
        return self.pages.render(request, "docs/compatibility.html", context)

    def _reference(self, product: Product, version: int, document: dict[str, Any]) -> Reference:
        found = self._references.get((product.id, version))
        if found is None:
            found = self._references[(product.id, version)] = reference(document)
        return found

    def _version(self, request: Request) -> tuple[Product, VersionView, Reference] | None:
        """The product version a page's path names, if it has a document."""
        product_id = request.path_params["product"]
        version = request.path_params["version"]
        document = self.documents.document(product_id, version)
        product = self.documents.product(product_id)
        if document is None or product is None:
            return None
        status = next(
            (s for s in self.statuses(product, self.clock()) if s.version == version),
            VersionStatus(version, VersionState.UNRELEASED, None),
        )
        return product, VersionView(product, status), self._reference(product, version, document)

    def _render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        *,
        status: int = 200,
    ) -> Response:
        """A page with forms: the visitor's CSRF seed is kept in its cookie."""
        seed, new = anonymous_seed(request)
        context = {**context, "csrf_token": self.tokens.token(seed)}
        response = self.pages.render(request, template, context, status=status)
        if new:
            keep_anonymous_seed(response, seed, self.public_url, path=COOKIE_PATH)
        return response

    async def reference_page(self, request: Request) -> Response:
        found = self._version(request)
        if found is None or not request.url.path.endswith(f"/v{found[1].status.version}"):
            return self.errors.not_found(request)
        product, version, reference = found
        context: dict[str, Any] = {
            "title": f"{product.name} version {version.status.version} reference",
            "product": product,
            "version": version,
            "reference": reference,
            "openapi_href": f"/docs/{product.id}/v{version.status.version}/openapi.json",
            "live_key": guide.LIVE_KEY_VARIABLE,
            "sandbox_key": guide.SANDBOX_KEY_VARIABLE,
            "try_it": version.status.state in SERVED_STATES,
            "form": Form(),
            "navigation": _navigation(NAVIGATION_DOCS),
        }
        return self._render(request, "docs/reference.html", context)

    async def try_page(self, request: Request) -> Response:
        """An operation's try-it form; posted, the request sent to the sandbox and its
        answer. The key is read from the form, sent once and dropped: it is in no page,
        no log and no store."""
        found = self._version(request)
        if found is None:
            return self.errors.not_found(request)
        product, version, reference = found
        operation = _operation(reference, request.path_params["operation"])
        if (
            operation is None
            or f"/v{version.status.version}/try/" not in request.url.path
            or operation.method not in TRIED_METHODS
            or version.status.state not in SERVED_STATES
        ):
            return self.errors.not_found(request)
        form, tried, status = Form(), None, 200
        if request.method == "POST":
            posted = await read_form(request)
            if posted is None:
                return self.errors.too_large(request)
            seed, new = anonymous_seed(request)
            if new or not self.tokens.valid(seed, posted.get(CSRF_FIELD)):
                return self.errors.expired_form(request)
            sent, problems = TryRequest.of(operation, posted)
            # Everything typed is shown again except the key.
            form = Form({k: v for k, v in posted.items() if k not in (KEY_FIELD, CSRF_FIELD)})
            if sent is None:
                form.problems.extend(problems)
                status = 400
            else:
                key = posted[KEY_FIELD].strip()
                try:
                    answer = await self.sandbox.send(sent, key)
                except TimeoutError:
                    form.add("", SANDBOX_TIMED_OUT)
                    status = 504
                else:
                    curl = sent.curl(self.public_url, KEY_HEADER, guide.SANDBOX_KEY_VARIABLE)
                    tried = Tried(sent, answer, curl, mask(key))
        context: dict[str, Any] = {
            "title": f"Try {operation.summary[:1].lower()}{operation.summary[1:]} in the sandbox",
            "product": product,
            "version": version,
            "operation": operation,
            "reference_href": f"{version.href}#{operation.anchor}",
            "sandbox_key": guide.SANDBOX_KEY_VARIABLE,
            "form": form,
            "tried": tried,
            "navigation": _navigation(NAVIGATION_DOCS),
        }
        return self._render(request, "docs/try.html", context, status=status)

    def app(self) -> ASGIApp:
        app = Starlette(
            routes=[
                Route("/", self.index, methods=["GET"]),
                Route("/compatibility", self.compatibility, methods=["GET"]),
                Route("/{product}/v{version:int}", self.reference_page, methods=["GET"]),
                Route(
                    "/{product}/v{version:int}/try/{operation}",
                    self.try_page,
                    methods=["GET", "POST"],
                ),
                # An ASGI endpoint: every method, as before (see app.py's own routes).
                Route("/{product}/v{version:int}/openapi.json", _OpenApiJson(self.documents)),
            ],
            exception_handlers={
                HTTPException: self.errors.http_exception,
                Exception: self.errors.unexpected,
            },
        )
        app.router.redirect_slashes = False
        return SecurityHeaders(app)


def _operation(reference: Reference, anchor: str) -> Operation | None:
    return next((o for o in reference.operations if o.anchor == anchor), None)


class _OpenApiJson:
    """The documents as JSON. An ASGI app, not a function, so that its route answers
    every method as before: ``HEAD`` and ``POST`` get the document too, with the request
    id, and an unknown document is the gateway's JSON 404."""

    def __init__(self, documents: OpenApiDocuments) -> None:
        self.documents = documents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = scope.get("path_params", {})
        version = params.get("version")
        content = None
        # Mounted, the path is still the whole one (the mount sets root_path).
        if isinstance(version, int) and scope["path"].endswith(f"/v{version}/openapi.json"):
            content = self.documents.json(str(params.get("product")), version)
        if content is None:
            await responses.send_gateway_error(send, 404, responses.RESOURCE_NOT_FOUND)
            return
        response = Response(content, media_type=JSON, headers={"cache-control": "no-store"})
        await response(scope, receive, send)
