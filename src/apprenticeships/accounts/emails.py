"""What the accounts emails say. Links are absolute, under the public URL."""

from __future__ import annotations

from dataclasses import dataclass

SERVICE = "Apprenticeship Service API"


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    body: str


class Links:
    """The portal's pages that emails link to."""

    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/") + "/portal"

    def confirm(self, token: str) -> str:
        return f"{self.base}/confirm/{token}"

    def set_password(self, token: str) -> str:
        return f"{self.base}/set-password/{token}"

    @property
    def sign_in(self) -> str:
        return f"{self.base}/sign-in"

    @property
    def forgot_password(self) -> str:
        return f"{self.base}/forgot-password"


def _hello(name: str) -> str:
    return f"Hello {name},\n\n" if name else "Hello,\n\n"


def confirm_email(name: str, link: str) -> Email:
    return Email(
        "Confirm your email address",
        f"{_hello(name)}"
        f"You created a developer account on the {SERVICE} portal. To finish, confirm "
        "your email address by opening this link:\n\n"
        f"{link}\n\n"
        "The link works once, for 24 hours.\n\n"
        "If you did not create an account, do not open the link: ignore this email and "
        "nothing will happen.\n",
    )


def already_registered(links: Links) -> Email:
    return Email(
        "Someone tried to create an account with your email address",
        "Hello,\n\n"
        f"Someone tried to create an account on the {SERVICE} portal with this email "
        "address. You already have an account, so no new one was made.\n\n"
        f"If it was you, sign in:\n\n{links.sign_in}\n\n"
        f"If you have forgotten your password, you can reset it:\n\n{links.forgot_password}\n\n"
        "If it was not you, you do not need to do anything.\n",
    )


def reset_password(name: str, link: str) -> Email:
    return Email(
        "Reset your password",
        f"{_hello(name)}"
        f"Someone asked to reset the password of your {SERVICE} account. To choose a new "
        "password, open this link:\n\n"
        f"{link}\n\n"
        "The link works once, for 1 hour.\n\n"
        "If you did not ask, ignore this email: your password stays as it is.\n",
    )


def invitation(name: str, organisation: str, role: str, link: str) -> Email:
    return Email(
        f"You have been invited to the {SERVICE} portal",
        f"{_hello(name)}"
        f"You have been invited to manage the API access of {organisation} on the "
        f"{SERVICE} portal, as {role}. To accept, set your password:\n\n"
        f"{link}\n\n"
        "The link works once, for 7 days.\n\n"
        "If you were not expecting this, ignore this email.\n",
    )


def added_to_organisation(name: str, organisation: str, role: str, sign_in: str) -> Email:
    return Email(
        f"You have been added to an organisation on the {SERVICE} portal",
        f"{_hello(name)}"
        f"You can now act for {organisation} on the {SERVICE} portal, as {role}. "
        f"Sign in with your email address and password:\n\n{sign_in}\n",
    )


def admin_invitation(name: str, link: str) -> Email:
    return Email(
        f"You have been made a platform admin of the {SERVICE}",
        f"{_hello(name)}"
        f"You are now a platform admin of the {SERVICE}: you review adverts and see the "
        "audit log. To start, set your password:\n\n"
        f"{link}\n\n"
        "The link works once, for 7 days.\n",
    )


def admin_granted(name: str, sign_in: str) -> Email:
    return Email(
        f"You have been made a platform admin of the {SERVICE}",
        f"{_hello(name)}"
        f"You are now a platform admin of the {SERVICE}: you review adverts and see the "
        f"audit log. Sign in as usual:\n\n{sign_in}\n",
    )


def password_changed(name: str, links: Links) -> Email:
    return Email(
        "Your password has been changed",
        f"{_hello(name)}"
        f"The password of your {SERVICE} account has just been changed, and every "
        "session signed in with the old one has ended.\n\n"
        "If you did not change it, reset your password now:\n\n"
        f"{links.forgot_password}\n",
    )


def account_deleted(name: str, keys: int) -> Email:
    stopped = (
        "Its API keys have stopped working."
        if keys
        else "It had no API keys that were still working."
    )
    return Email(
        "Your developer account has been deleted",
        f"{_hello(name)}"
        f"Your developer account on the {SERVICE} portal has been deleted, as you asked. "
        f"{stopped}\n\n"
        "You can create a new account at any time.\n",
    )
