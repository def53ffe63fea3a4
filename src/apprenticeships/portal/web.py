"""The portal's request plumbing: who is asking, CSRF on every POST, cookies.

Each page is an async function ``handler(request, visitor) -> Response`` wrapped by
``page()``, which

- loads the signed-in session from the ``portal_session`` cookie (server-side store,
  so a sign-out on one process ends it on all) and who it belongs to;
- gives anonymous visitors a random CSRF seed in the ``portal_csrf`` cookie;
- reads POST bodies (URL-encoded forms only, at most ``MAX_FORM_BYTES``) and refuses
  any POST without a valid CSRF token with 403, before the handler runs;
- sends visitors who must sign in to the sign-in page, and people without the right
  role to a 404 (a page they may not use does not exist for them);
- sets or clears the cookies the handler asked for.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from apprenticeships.accounts.sessions import (
    SESSION_COOKIE,
    SessionRecord,
    SessionStore,
    cookie_attributes,
)
from apprenticeships.portal.forms import ANONYMOUS_CSRF_COOKIE, CSRF_FIELD, CsrfTokens, new_seed
from apprenticeships.portal.navigation import navigation
from apprenticeships.portal.templating import Pages

MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
FORM_TYPE = "application/x-www-form-urlencoded"


class Access(enum.Enum):
    ANYONE = "anyone"
    SIGNED_IN = "signed in"  # any signed-in person, organisation chosen or not
    MEMBER = "member"  # signed in and acting for an organisation
    ADMIN = "admin"  # a platform admin


@dataclass(frozen=True, slots=True)
class Declared:
    """Who may use a page, as its route declared it."""

    access: Access
    roles: frozenset[str] | None


def declared_access(route: object) -> Declared | None:
    """The declaration of a route made by ``Portal.route`` (None for any other)."""
    found = getattr(getattr(route, "endpoint", None), "portal_access", None)
    return found if isinstance(found, Declared) else None


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a signed-in session belongs to, as pages need it."""

    user_id: int
    email: str
    name: str
    is_admin: bool
    # The organisation the person acts for in this session, and their role there.
    organisation_id: int | None = None
    organisation_kind: str | None = None
    organisation_public_id: str | None = None
    organisation_name: str | None = None
    role: str | None = None
    organisations: int = 0  # how many the person belongs to


class IdentityLoader(Protocol):
    async def __call__(self, record: SessionRecord) -> Identity | None: ...


@dataclass(slots=True)
class Visitor:
    """The person (or anonymous browser) making this request."""

    tokens: CsrfTokens
    record: SessionRecord | None = None
    identity: Identity | None = None
    address: str = ""
    anonymous_seed: str = ""
    _new_anonymous_seed: bool = False
    _cookie_changes: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.identity is not None

    def csrf_token(self) -> str:
        if self.record is not None:
            return self.record.form_token()
        return self.tokens.token(self.anonymous_seed)

    def accepts(self, token: str | None) -> bool:
        if self.record is not None:
            return self.record.accepts_form_token(token)
        return self.tokens.valid(self.anonymous_seed, token)

    def start_session(self, session_id: str) -> None:
        """The handler signed someone in: send the new session id."""
        self._cookie_changes.append((SESSION_COOKIE, session_id))

    def end_session(self) -> None:
        self._cookie_changes.append((SESSION_COOKIE, None))


Handler = Callable[[Request, Visitor], Awaitable[Response]]


@dataclass
class Portal:
    """What every page handler shares: built once by the platform."""

    store: SessionStore
    identify: IdentityLoader
    tokens: CsrfTokens
    pages: Pages
    public_url: str
    clock: Callable[[], datetime]

    def render(
        self,
        request: Request,
        visitor: Visitor,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> Response:
        values: dict[str, Any] = {
            "visitor": visitor,
            "csrf_token": visitor.csrf_token(),
            "navigation": navigation(visitor.identity, request.url.path),
        }
        values.update(context or {})
        return self.pages.render(request, template, values, status=status)

    def message(
        self, request: Request, visitor: Visitor, title: str, *paragraphs: str,
        link: tuple[str, str] | None = None, status: int = 200,
    ) -> Response:  # fmt: skip
        """A page that only says something (and perhaps links somewhere)."""
        context: dict[str, Any] = {"title": title, "paragraphs": paragraphs}
        if link is not None:
            context["link"] = {"href": link[0], "text": link[1]}
        return self.render(request, visitor, "message.html", context, status=status)

    def not_found(self, request: Request, visitor: Visitor) -> Response:
        return self.message(
            request, visitor, "Page not found",
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
            link=("/portal", "Go to the developer portal"), status=404,
        )  # fmt: skip

    def expired_form(self, request: Request, visitor: Visitor) -> Response:
        return self.message(
            request, visitor, "This form has expired",
            "Nothing was changed. For your security, forms stop working when you sign in or "
            "out, or when your session ends.",
            link=(request.url.path, "Go back to the page and try again"), status=403,
        )  # fmt: skip

    def too_large(self, request: Request, visitor: Visitor) -> Response:
        return self.message(
            request, visitor, "The form was too large", "Nothing was changed.",
            link=(request.url.path, "Go back to the page"), status=413,
        )  # fmt: skip

    def route(
        self, path: str, handler: Handler, *, access: Access,
        methods: tuple[str, ...] = ("GET",), roles: frozenset[str] | None = None,
    ) -> Route:  # fmt: skip
        """A page. ``access`` (and ``roles``, for members) is required: every page says
        in one line who may use it (tests/portal/test_routes.py lists them all)."""

        async def endpoint(request: Request) -> Response:
            return await self._serve(request, handler, access, roles)

        endpoint.portal_access = Declared(access, roles)  # type: ignore[attr-defined]
        return Route(path, endpoint, methods=list(methods))

    async def _serve(
        self, request: Request, handler: Handler, access: Access, roles: frozenset[str] | None
    ) -> Response:
        visitor = await self._visitor(request)
        response = await self._checked(request, visitor, handler, access, roles)
        self._write_cookies(visitor, response)
        return response

    async def _checked(
        self,
        request: Request,
        visitor: Visitor,
        handler: Handler,
        access: Access,
        roles: frozenset[str] | None,
    ) -> Response:
        if request.method == "POST":
            form = await read_form(request)
            if form is None:
                return self.too_large(request, visitor)
            request.state.form = form
            if not visitor.accepts(form.get(CSRF_FIELD)):
                return self.expired_form(request, visitor)
        if access is not Access.ANYONE:
            identity = visitor.identity
            if identity is None:
                return RedirectResponse("/portal/sign-in", status_code=303)
            if access is Access.ADMIN and not identity.is_admin:
                return self.not_found(request, visitor)
            if access is Access.MEMBER:
                if identity.organisation_id is None:
                    target = "/portal/organisations" if identity.organisations else "/portal"
                    return RedirectResponse(target, status_code=303)
                if roles is not None and identity.role not in roles:
                    return self.not_found(request, visitor)
        return await handler(request, visitor)

    async def _visitor(self, request: Request) -> Visitor:
        visitor = Visitor(self.tokens, address=_client_address(request))
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            record = await self.store.load(session_id, self.clock())
            identity = await self.identify(record) if record is not None else None
            if record is not None and identity is None:
                # The person is gone: end what is left of the session.
                await self.store.end(session_id)
            if identity is None:
                visitor.end_session()
            else:
                visitor.record, visitor.identity = record, identity
        if visitor.record is None:
            visitor.anonymous_seed, visitor._new_anonymous_seed = anonymous_seed(request)
        return visitor

    def _write_cookies(self, visitor: Visitor, response: Response) -> None:
        options: dict[str, Any] = dict(cookie_attributes(self.public_url))
        if visitor._new_anonymous_seed:
            keep_anonymous_seed(response, visitor.anonymous_seed, self.public_url)
        for name, value in visitor._cookie_changes:
            if value is None:
                response.delete_cookie(name, **options)
            else:
                response.set_cookie(name, value, **options)


def anonymous_seed(request: Request) -> tuple[str, bool]:
    """The CSRF seed of a visitor without a session, from the ``portal_csrf`` cookie, and
    whether it is a new one (there was none, or not a seed) that must be sent back."""
    seed = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    if 20 <= len(seed) <= 64:
        return seed, False
    return new_seed(), True


def keep_anonymous_seed(
    response: Response, seed: str, public_url: str, path: str | None = None
) -> None:
    """Send the seed in its cookie, with the session cookie's attributes; ``path`` for
    pages outside the portal (the documentation's, under ``/docs``)."""
    options: dict[str, Any] = dict(cookie_attributes(public_url))
    if path is not None:
        options["path"] = path
    response.set_cookie(ANONYMOUS_CSRF_COOKIE, seed, **options)


async def read_form(request: Request) -> Mapping[str, str] | None:
    """The URL-encoded form of a POST, or None when it is larger than the portal takes.
    Anything that is not a URL-encoded form reads as an empty one (so it fails the CSRF
    check and changes nothing)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:  # more fields than any portal form has
        return {}
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value.replace("\x00", ""))
    return fields


def _client_address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def form_of(request: Request) -> Mapping[str, str]:
    """The POST form ``page()`` read (empty for a GET)."""
    form: Mapping[str, str] = getattr(request.state, "form", {})
    return form
