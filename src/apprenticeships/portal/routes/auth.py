"""Registration, confirmation, sign-in and out, choosing an organisation, passwords and
the person's own account.

No answer here tells anyone whether an email address has an account: registering a
known address, signing in with an unknown one and asking to reset an unknown one look
exactly like the other case.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from apprenticeships.accounts.sessions import SESSION_COOKIE
from apprenticeships.errors import InvalidInput
from apprenticeships.portal.accounts import PortalAccounts
from apprenticeships.portal.forms import Form
from apprenticeships.portal.web import Access, Portal, Visitor, form_of

CHECK_EMAIL = "Check your email"
SIGN_IN_FAILED = "Enter a correct email address and password"
LINK_EXPIRED = "This link has expired or has already been used"


class AuthPages:
    def __init__(self, portal: Portal, accounts: PortalAccounts, *, oidc: bool = False) -> None:
        self.portal = portal
        self.accounts = accounts
        # The sign-in page offers OpenID Connect (routes/oidc.py) when it is configured.
        self.oidc = oidc

    def routes(self) -> list[BaseRoute]:
        p = self.portal
        both = ("GET", "POST")
        return [
            p.route("/", self.start, access=Access.ANYONE),
            p.route("/register", self.register, methods=both, access=Access.ANYONE),
            p.route("/confirm/{token}", self.confirm, access=Access.ANYONE),
            p.route("/sign-in", self.sign_in, methods=both, access=Access.ANYONE),
            p.route("/sign-out", self.sign_out, methods=("POST",), access=Access.ANYONE),
            p.route("/organisations", self.organisations, methods=both, access=Access.SIGNED_IN),
            p.route("/set-password/{token}", self.set_password, methods=both, access=Access.ANYONE),
            p.route("/forgot-password", self.forgot_password, methods=both, access=Access.ANYONE),
            p.route("/account", self.account, methods=both, access=Access.SIGNED_IN),
            p.route("/account/delete", self.delete_account, methods=both, access=Access.SIGNED_IN),
        ]

    async def start(self, request: Request, visitor: Visitor) -> Response:
        return self.portal.render(request, visitor, "start.html")

    # -- registration -------------------------------------------------------------------

    async def register(self, request: Request, visitor: Visitor) -> Response:
        if request.method == "GET":
            return self._page(request, visitor, "register.html", Form())
        form = Form.of(form_of(request), "name", "email", "password")
        try:
            await self.accounts.register(
                form.get("name"), form.get("email"), form.get("password"), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(request, visitor, "register.html", form, status=400)
        return self.portal.message(
            request, visitor, CHECK_EMAIL,
            f"We have sent an email to {form.get('email').strip()}. Open the link in it "
            "within 24 hours to confirm your email address, then sign in.",
        )  # fmt: skip

    async def confirm(self, request: Request, visitor: Visitor) -> Response:
        if not await self.accounts.confirm_email(request.path_params["token"]):
            return self._expired_link(request, visitor)
        return self.portal.message(
            request, visitor, "Email address confirmed",
            "You can now sign in and get keys for the Display advert API.",
            link=("/portal/sign-in", "Sign in"),
        )  # fmt: skip

    # -- signing in and out -------------------------------------------------------------

    async def sign_in(self, request: Request, visitor: Visitor) -> Response:
        if request.method == "GET":
            if visitor.signed_in:
                return RedirectResponse("/portal/apis", status_code=303)
            return self._page(request, visitor, "sign_in.html", Form(), oidc=self.oidc)
        form = Form.of(form_of(request), "email", "password")
        try:
            result = await self.accounts.sign_in(
                form.get("email"), form.get("password"), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(request, visitor, "sign_in.html", form, status=400, oidc=self.oidc)
        if result.person_id is None:
            form.add("email", result.message or SIGN_IN_FAILED)
            return self._page(request, visitor, "sign_in.html", form, status=400, oidc=self.oidc)
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            await self.portal.store.end(old)
        session_id, _ = await self.portal.store.create(
            result.person_id, result.organisation_id, visitor.address, self.portal.clock()
        )
        visitor.start_session(session_id)
        return RedirectResponse(result.landing, status_code=303)

    async def sign_out(self, request: Request, visitor: Visitor) -> Response:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            await self.portal.store.end(session_id)
        visitor.end_session()
        return RedirectResponse("/portal", status_code=303)

    async def organisations(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        memberships = await self.accounts.choices(identity.user_id)
        form = Form.of(form_of(request), "organisation")
        if request.method == "POST":
            chosen = next(
                (m for m in memberships if str(m.organisation_id) == form.get("organisation")),
                None,
            )
            session_id = request.cookies.get(SESSION_COOKIE, "")
            if chosen is not None and await self.portal.store.set_organisation(
                session_id, chosen.organisation_id
            ):
                return RedirectResponse("/portal/apis", status_code=303)
            form.add("organisation", "Select the organisation you are acting for")
        elif identity.organisation_id is not None:
            form.values["organisation"] = str(identity.organisation_id)
        choices = [
            {
                "value": str(m.organisation_id),
                "text": m.organisation_name,
                "hint": {"text": m.description},
                "checked": form.get("organisation") == str(m.organisation_id),
            }
            for m in memberships
        ]
        return self._page(
            request, visitor, "organisations.html", form,
            status=400 if form.errors else 200, choices=choices,
        )  # fmt: skip

    # -- passwords ----------------------------------------------------------------------

    async def set_password(self, request: Request, visitor: Visitor) -> Response:
        token = request.path_params["token"]
        action = f"/portal/set-password/{token}"
        if request.method == "GET":
            if not await self.accounts.token_usable(token):
                return self._expired_link(request, visitor)
            return self._page(request, visitor, "set_password.html", Form(), action=action)
        form = Form.of(form_of(request), "password")
        try:
            user_id = await self.accounts.set_password(token, form.get("password"), visitor.address)
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(
                request, visitor, "set_password.html", form, status=400, action=action
            )
        if user_id is None:
            return self._expired_link(request, visitor)
        await self.portal.store.end_all_for_user(user_id)
        visitor.end_session()
        return self.portal.message(
            request, visitor, "Your password is set", "You can now sign in with it.",
            link=("/portal/sign-in", "Sign in"),
        )  # fmt: skip

    async def forgot_password(self, request: Request, visitor: Visitor) -> Response:
        if request.method == "GET":
            return self._page(request, visitor, "forgot_password.html", Form())
        form = Form.of(form_of(request), "email")
        try:
            await self.accounts.request_reset(form.get("email"), visitor.address)
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(request, visitor, "forgot_password.html", form, status=400)
        return self.portal.message(
            request, visitor, CHECK_EMAIL,
            "If there is an account for that email address, we have sent it a link to set "
            "a new password. The link works once, for 1 hour.",
        )  # fmt: skip

    async def account(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        can_delete = identity.role == "Developer"
        if request.method == "GET":
            return self._page(request, visitor, "account.html", Form(), can_delete=can_delete)
        form = Form.of(form_of(request), "current_password", "new_password")
        try:
            await self.accounts.change_password(
                identity, form.get("current_password"), form.get("new_password"), visitor.address
            )
        except InvalidInput as error:
            form.problems.extend(error.problems)
            return self._page(
                request, visitor, "account.html", form, status=400, can_delete=can_delete
            )
        await self.portal.store.end_all_for_user(identity.user_id)
        visitor.end_session()
        return self.portal.message(
            request, visitor, "Your password has been changed",
            "You have been signed out everywhere. Sign in again with your new password.",
            link=("/portal/sign-in", "Sign in"),
        )  # fmt: skip

    async def delete_account(self, request: Request, visitor: Visitor) -> Response:
        identity = visitor.identity
        assert identity is not None
        if identity.role != "Developer":
            return self.portal.not_found(request, visitor)
        if request.method == "GET":
            return self._page(request, visitor, "delete_account.html", Form())
        await self.accounts.delete_developer(identity, visitor.address)
        await self.portal.store.end_all_for_user(identity.user_id)
        visitor.end_session()
        return self.portal.message(
            request, visitor, "Your account has been deleted",
            "Its keys have stopped working.", link=("/portal", "Go to the developer portal"),
        )  # fmt: skip

    # -- helpers ------------------------------------------------------------------------

    def _page(
        self, request: Request, visitor: Visitor, template: str, form: Form,
        *, status: int = 200, **context: object,
    ) -> Response:  # fmt: skip
        return self.portal.render(
            request, visitor, template, {"form": form, **context}, status=status
        )

    def _expired_link(self, request: Request, visitor: Visitor) -> Response:
        return self.portal.message(
            request, visitor, LINK_EXPIRED,
            "Links in our emails work once, and only for a while. Ask for a new one.",
            link=("/portal/forgot-password", "Reset your password"), status=404,
        )  # fmt: skip
