"""The Training providers page, for an employer's Owners: their legal entities, which
training providers may recruit for each (through the Recruitment API) and how; giving,
changing and removing that permission.

``ProviderPermissionService`` checks on every call that the acting person is an Owner
of the employer and that the legal entity is the employer's own: another employer's
legal entity in a URL or a form is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.accounts.permissions import HeldPermission, LegalEntityPermissions
from apprenticeships.accounts.vocabulary import Permission
from apprenticeships.errors import Forbidden, InvalidInput, NotFound
from apprenticeships.portal.forms import Form
from apprenticeships.portal.navigation import PROVIDER_MANAGERS
from apprenticeships.portal.providers import PortalProviders
from apprenticeships.portal.web import Access, Portal, Visitor, form_of

FIELDS = ("ukprn", "legal_entity", "permission")
SELECT_PERMISSION = "Select what the training provider may do"

PERMISSION_HINTS = {
    Permission.RECRUITMENT: "They create adverts for this legal entity through the Recruitment API",
    Permission.RECRUITMENT_REQUIRES_REVIEW: "They create adverts, and you approve each one "
    "before it is published",
}


class ProviderPages:
    def __init__(self, portal: Portal, providers: PortalProviders) -> None:
        self.portal = portal
        self.providers = providers

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        both = ("GET", "POST")
        owners: dict[str, Any] = {"access": Access.MEMBER, "roles": PROVIDER_MANAGERS}
        return [
            p.route("/providers", self.overview, methods=both, **owners),
            p.route(
                "/providers/{legal_entity}/{ukprn}/change", self.change, methods=both, **owners
            ),
            p.route(
                "/providers/{legal_entity}/{ukprn}/remove", self.remove, methods=both, **owners
            ),
        ]

    async def overview(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        form = Form.of(form_of(request), *FIELDS)
        try:
            if request.method == "POST":
                try:
                    await self.providers.grant(
                        identity, form.get("legal_entity"), form.get("ukprn"),
                        form.get("permission"), visitor.address,
                    )  # fmt: skip
                except InvalidInput as error:
                    _merge(form, error)
                else:
                    return RedirectResponse("/portal/providers", status_code=303)
            entities = await self.providers.legal_entities(identity)
        except (NotFound, Forbidden):
            return self.portal.not_found(request, visitor)
        if len(entities) == 1 and not form.get("legal_entity"):
            form.values["legal_entity"] = entities[0].public_hashed_id
        return self.portal.render(
            request, visitor, "providers.html",
            {
                "form": form,
                "entities": entities,
                "entity_items": _entity_items(entities, form.get("legal_entity")),
                "permission_items": _permission_items(form.get("permission")),
            },
            status=400 if form.errors else 200,
        )  # fmt: skip

    async def change(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        entity, ukprn = request.path_params["legal_entity"], request.path_params["ukprn"]
        form = Form.of(form_of(request), "permission")
        try:
            # A UKPRN that is not one (InvalidInput) names no permission either.
            held = await self.providers.held(identity, entity, ukprn)
        except (NotFound, Forbidden, InvalidInput):
            return self.portal.not_found(request, visitor)
        if request.method == "GET":
            form.values["permission"] = held.permission.value
        else:
            try:
                await self.providers.change(
                    identity, entity, ukprn, form.get("permission"), visitor.address
                )
            except InvalidInput:
                # The permission: the legal entity and UKPRN were good a moment ago.
                form.add("permission", SELECT_PERMISSION)
            except (NotFound, Forbidden):
                return self.portal.not_found(request, visitor)
            else:
                return RedirectResponse("/portal/providers", status_code=303)
        return self.portal.render(
            request, visitor, "provider_change.html",
            {"form": form, "held": held, "action": _path(held, "change"),
             "permission_items": _permission_items(form.get("permission"))},
            status=400 if form.errors else 200,
        )  # fmt: skip

    async def remove(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        entity, ukprn = request.path_params["legal_entity"], request.path_params["ukprn"]
        try:
            held = await self.providers.held(identity, entity, ukprn)
            if request.method == "POST":
                await self.providers.revoke(identity, entity, ukprn, visitor.address)
                return RedirectResponse("/portal/providers", status_code=303)
        except (NotFound, Forbidden, InvalidInput):
            # Another employer's legal entity, a permission removed meanwhile, or a UKPRN
            # that is not one: no such permission.
            return self.portal.not_found(request, visitor)
        return self.portal.render(
            request,
            visitor,
            "provider_remove.html",
            {"form": Form(), "held": held, "action": _path(held, "remove")},
        )


def _path(held: HeldPermission, action: str) -> str:
    return f"/portal/providers/{held.public_hashed_id}/{held.ukprn}/{action}"


def _merge(form: Form, error: InvalidInput) -> None:
    """The service's problems in the page's order, in the form's words."""
    for problem in error.problems or ():
        if problem.field == "permission":
            form.add("permission", SELECT_PERMISSION)
        else:
            form.problems.append(problem)
    if not error.problems:
        form.add("", str(error))
    order = {name: index for index, name in enumerate(FIELDS)}
    form.problems.sort(key=lambda problem: order.get(problem.field, len(order)))


def _entity_items(entities: list[LegalEntityPermissions], chosen: str) -> list[dict[str, Any]]:
    return [
        {
            "value": entity.public_hashed_id,
            "text": entity.name,
            "hint": {"text": f"Legal entity ID {entity.public_hashed_id}"},
            "checked": chosen.strip().upper() == entity.public_hashed_id,
        }
        for entity in entities
    ]


def _permission_items(chosen: str) -> list[dict[str, Any]]:
    return [
        {
            "value": permission.value,
            "text": permission.label,
            "hint": {"text": PERMISSION_HINTS[permission]},
            "checked": chosen == permission.value,
        }
        for permission in Permission
    ]
