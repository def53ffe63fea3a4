"""The Team page: an employer's or provider's people and their roles. Everyone in the
organisation sees the list; Owners and Account owners also invite people, change roles
and remove people. Independent developers' accounts have no team (their person is the
account), so the page does not exist for them.

The page only decides what to offer: ``TeamService`` checks the acting person's role
again on every change, so a form forged by someone else is refused and changes nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.accounts.vocabulary import Role
from apprenticeships.errors import Conflict, Forbidden, InvalidInput, NotFound
from apprenticeships.portal.forms import Form
from apprenticeships.portal.navigation import TEAM_MANAGERS, TEAM_MEMBERS
from apprenticeships.portal.team import PortalTeam
from apprenticeships.portal.web import Access, Portal, Visitor, form_of

FIELDS = ("email", "name", "role")
SELECT_ROLE = "Select a role"

ROLE_HINTS = {
    Role.OWNER: "Manages API keys, the team and training providers' permissions",
    Role.TRANSACTOR: "Sees API keys and usage, and reviews adverts that training providers create",
    Role.VIEWER: "Sees API keys, usage and the team",
    Role.ACCOUNT_OWNER: "Manages API keys and the team",
    Role.CONTRIBUTOR: "Sees API keys, usage and the team, and works with the provider's systems",
}


class TeamPages:
    def __init__(self, portal: Portal, team: PortalTeam) -> None:
        self.portal = portal
        self.team = team

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        both = ("GET", "POST")
        return [
            p.route(
                "/team", self.members, methods=both, access=Access.MEMBER, roles=TEAM_MEMBERS
            ),
            p.route(
                "/team/{person_id:int}/role", self.change_role, methods=both,
                access=Access.MEMBER, roles=TEAM_MANAGERS,
            ),
            p.route(
                "/team/{person_id:int}/remove", self.remove, methods=both,
                access=Access.MEMBER, roles=TEAM_MANAGERS,
            ),
        ]  # fmt: skip

    async def members(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        form = Form.of(form_of(request), *FIELDS)
        if request.method == "POST":
            if not form.get("role").strip():
                # Checked here too, so every problem is shown at once in the form's words.
                form.add("role", SELECT_ROLE)
            try:
                invitation = await self.team.invite(
                    identity, form.get("email"), form.get("name"), form.get("role"),
                    visitor.address,
                )  # fmt: skip
            except InvalidInput as error:
                _merge(form, error)
            except Forbidden as error:
                return self._refused(request, visitor, str(error))
            except Conflict as error:
                form.add("email" if error.field == "email" else "", str(error))
            else:
                if invitation.invited:
                    said = (
                        f"We have sent an email to {invitation.email} with a link to set a "
                        "password. The link works once, for 7 days."
                    )
                else:
                    said = (
                        f"{invitation.email} already has an account: we have emailed them "
                        f"that they can now act for {identity.organisation_name}."
                    )
                return self.portal.message(
                    request, visitor, "Invitation sent", said,
                    link=("/portal/team", "Go back to your team"),
                )  # fmt: skip
        team = await self.team.team(identity)
        return self.portal.render(
            request, visitor, "team.html",
            {"form": form, "team": team, "roles": _role_items(team.roles, form.get("role"))},
            status=400 if form.errors else 200,
        )  # fmt: skip

    async def change_role(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        person_id: int = request.path_params["person_id"]
        try:
            member = await self.team.member(identity, person_id)
        except (NotFound, Forbidden):
            return self.portal.not_found(request, visitor)
        form = Form.of(form_of(request), "role")
        if request.method == "GET":
            form.values["role"] = member.role.value
        else:
            try:
                if not form.get("role").strip():
                    raise InvalidInput.of("role", SELECT_ROLE)
                await self.team.change_role(identity, person_id, form.get("role"), visitor.address)
            except InvalidInput as error:
                _merge(form, error)
            except Conflict as error:
                form.add("role", str(error))
            except (NotFound, Forbidden):
                return self.portal.not_found(request, visitor)
            else:
                return RedirectResponse("/portal/team", status_code=303)
        team = await self.team.team(identity)
        return self.portal.render(
            request, visitor, "team_role.html",
            {"form": form, "member": member, "roles": _role_items(team.roles, form.get("role"))},
            status=400 if form.errors else 200,
        )  # fmt: skip

    async def remove(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        person_id: int = request.path_params["person_id"]
        try:
            member = await self.team.member(identity, person_id)
        except (NotFound, Forbidden):
            return self.portal.not_found(request, visitor)
        form = Form()
        if request.method == "POST":
            try:
                await self.team.remove(identity, person_id, visitor.address)
            except Conflict as error:
                form.add("", str(error))
            except (NotFound, Forbidden):
                return self.portal.not_found(request, visitor)
            else:
                return RedirectResponse("/portal/team", status_code=303)
        return self.portal.render(
            request, visitor, "team_remove.html",
            {"form": form, "member": member, "yourself": member.person_id == identity.user_id},
            status=400 if form.errors else 200,
        )  # fmt: skip

    def _refused(self, request: Request, visitor: Visitor, reason: str) -> Response:
        return self.portal.message(
            request, visitor, "You cannot do this", f"{reason}. Nothing was changed.",
            link=("/portal/team", "Go back to your team"), status=403,
        )  # fmt: skip


def _merge(form: Form, error: InvalidInput) -> None:
    """The service's problems after the form's own, one per field, in the page's order."""
    own = {problem.field for problem in form.problems}
    for problem in error.problems or ():
        if problem.field in own:
            continue
        if problem.field == "role":
            # The service names the CLI's values; the form speaks of what it shows.
            form.add("role", SELECT_ROLE)
        else:
            form.problems.append(problem)
    if not error.problems:
        form.add("", str(error))
    order = {name: index for index, name in enumerate(FIELDS)}
    form.problems.sort(key=lambda problem: order.get(problem.field, len(order)))


def _role_items(roles: tuple[Role, ...], chosen: str) -> list[dict[str, Any]]:
    return [
        {
            "value": role.value,
            "text": role.label,
            "hint": {"text": ROLE_HINTS[role]} if role in ROLE_HINTS else None,
            "checked": chosen == role.value,
        }
        for role in roles
    ]
