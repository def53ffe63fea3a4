"""The API list and the key pages: get a key, rotate it, delete it, stop an old key now.

Every page here is for people acting for an organisation; getting, rotating, deleting
and stopping keys also need a role that manages keys (the route says so, and
``KeyService`` checks again on every call). Another organisation's key id, a revoked
key and a made-up id all get the same 404 page. A new key is shown once, on the page
that answers the POST, and never again.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from apprenticeships.catalog.products import product_title
from apprenticeships.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from apprenticeships.keys.repository import HeldKey
from apprenticeships.keys.service import IssuedKey
from apprenticeships.portal.formatting import when
from apprenticeships.portal.forms import Form
from apprenticeships.portal.keys import Grace, PortalKeys, key_title, product_for
from apprenticeships.portal.navigation import KEY_MANAGERS
from apprenticeships.portal.web import Access, Portal, Visitor, form_of

API_LIST = "/portal/apis"
BACK = (API_LIST, "Back to API keys")


class KeyPages:
    def __init__(self, portal: Portal, keys: PortalKeys) -> None:
        self.portal = portal
        self.keys = keys

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        both = ("GET", "POST")
        member, managers = Access.MEMBER, KEY_MANAGERS
        return [
            p.route("/apis", self.api_list, access=member),
            p.route("/apis/{product}/keys/new", self.new_key, methods=both, access=member, roles=managers),
            p.route("/keys/{key_id}/rotate", self.rotate, methods=both, access=member, roles=managers),
            p.route("/keys/{key_id}/delete", self.delete, methods=both, access=member, roles=managers),
            p.route("/keys/{key_id}/stop", self.stop_now, methods=("POST",), access=member, roles=managers),
        ]  # fmt: skip

    async def api_list(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        try:
            listing = await self.keys.api_list(identity)
        except DomainError as error:
            return self._refused(request, visitor, error)
        return self.portal.render(request, visitor, "apis.html", {"list": listing, "when": when})

    async def new_key(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        chosen = product_for(identity.organisation_kind, request.path_params["product"])
        if chosen is None:
            return self.portal.not_found(request, visitor)
        product, environment = chosen
        title = product_title(product, environment)
        context: dict[str, object] = {"title": f"Get a key for {title}", "product_title": title}
        if request.method == "GET":
            return self._page(request, visitor, "new_key.html", Form(), context)
        form = Form.of(form_of(request), "name")
        try:
            issued = await self.keys.get_key(
                identity, product, environment, form.get("name"), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(request, visitor, "new_key.html", form, context, status=400)
        except DomainError as error:
            return self._refused(request, visitor, error)
        return self._shown(request, visitor, f"Your new {title} key", issued.issued)

    async def rotate(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        key_id = request.path_params["key_id"]
        try:
            key = await self.keys.manageable_key(identity, key_id)
        except DomainError as error:
            return self._refused(request, visitor, error)
        if key.replaced:
            return self._replaced(request, visitor, key)
        context: dict[str, object] = {
            "key": key,
            "key_title": key_title(key),
            "graces": list(Grace),
        }
        if request.method == "GET":
            return self._page(request, visitor, "rotate_key.html", Form(), context)
        form = Form.of(form_of(request), "grace")
        try:
            grace = Grace(form.get("grace"))
        except ValueError:
            form.add("grace", "Select how long the old key should keep working")
            return self._page(request, visitor, "rotate_key.html", form, context, status=400)
        try:
            rotation = await self.keys.rotate(identity, key_id, grace, visitor.address)
        except DomainError as error:
            return self._refused(request, visitor, error)
        old = (
            "The old key has stopped working."
            if grace is Grace.NOW
            else f"The old key keeps working until {when(rotation.stops_at)}. You can stop "
            "it sooner from the API keys page."
        )
        return self._shown(
            request, visitor, f"Your new key for {key.name}", rotation.issued, old=old
        )

    async def delete(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        key_id = request.path_params["key_id"]
        try:
            key = await self.keys.manageable_key(identity, key_id)
        except DomainError as error:
            return self._refused(request, visitor, error)
        if key.replaced:
            return self._replaced(request, visitor, key)
        if request.method == "GET":
            return self._page(
                request,
                visitor,
                "delete_key.html",
                Form(),
                {"key": key, "key_title": key_title(key)},
            )
        try:
            deleted = await self.keys.delete(identity, key_id, visitor.address)
        except DomainError as error:
            return self._refused(request, visitor, error)
        return self.portal.message(
            request, visitor, "Key deleted",
            f"The {key_title(deleted.key)} key called {deleted.key.name} has stopped working.",
            link=BACK,
        )  # fmt: skip

    async def stop_now(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        try:
            stopped = await self.keys.stop_now(
                identity, request.path_params["key_id"], visitor.address
            )
        except DomainError as error:
            return self._refused(request, visitor, error)
        return self.portal.message(
            request, visitor, "Old key stopped",
            f"The old {key_title(stopped.key)} key called {stopped.key.name} has stopped "
            "working. Its replacement keeps working.",
            link=BACK,
        )  # fmt: skip

    # -- helpers --------------------------------------------------------------------------

    def _page(
        self, request: Request, visitor: Visitor, template: str, form: Form,
        context: dict[str, object] | None = None, *, status: int = 200,
    ) -> Response:  # fmt: skip
        return self.portal.render(
            request, visitor, template, {"form": form, **(context or {})}, status=status
        )

    def _shown(
        self, request: Request, visitor: Visitor, title: str, issued: IssuedKey, old: str = ""
    ) -> Response:
        """The page that shows a new key, once."""
        return self.portal.render(
            request, visitor, "key_shown.html", {"title": title, "issued": issued, "old": old}
        )

    def _replaced(self, request: Request, visitor: Visitor, key: HeldKey) -> Response:
        stops = when(key.expires_at) if key.expires_at else "the end of its grace period"
        return self.portal.message(
            request, visitor, "This key has been replaced",
            f"The old {key_title(key)} key called {key.name} was rotated and stops working "
            f"at {stops}. You can stop it now from the API keys page.",
            link=BACK, status=409,
        )  # fmt: skip

    def _refused(self, request: Request, visitor: Visitor, error: DomainError) -> Response:
        """What a person sees when the service says no. Nothing was changed."""
        if isinstance(error, NotFound):
            return self.portal.not_found(request, visitor)
        if isinstance(error, Forbidden):
            return self.portal.message(
                request, visitor, "You cannot do this", str(error), link=BACK, status=403
            )
        status = 409 if isinstance(error, Conflict) else 400
        return self.portal.message(
            request, visitor, "This cannot be done", str(error), link=BACK, status=status
        )
