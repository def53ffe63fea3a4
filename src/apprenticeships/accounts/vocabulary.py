"""The accounts vocabulary. Values are what is stored (and what the CLI takes)."""

from __future__ import annotations

from enum import StrEnum

from apprenticeships.catalog.products import OwnerKind


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    # Its keys stop working and its people cannot act for it; nothing is deleted.
    SUSPENDED = "suspended"
    # An independent developer deleted their account: its keys are revoked, its email
    # and name are gone, and it never comes back (a new registration makes a new one).
    DELETED = "deleted"


class Role(StrEnum):
    """What a person may do for one organisation (a membership's role)."""

    # Employers
    OWNER = "Owner"
    TRANSACTOR = "Transactor"
    # Employers and training providers
    VIEWER = "Viewer"
    # Training providers
    ACCOUNT_OWNER = "AccountOwner"
    CONTRIBUTOR = "Contributor"
    # Independent developers: the person is the account
    DEVELOPER = "Developer"

    @property
    def label(self) -> str:
        """How the portal shows it."""
        return _LABELS[self]

    @property
    def kinds(self) -> frozenset[OwnerKind]:
        """The kinds of organisation a person may hold this role in."""
        return frozenset(kind for kind, roles in _ROLES.items() if self in roles)


_LABELS = {
    Role.OWNER: "Owner",
    Role.TRANSACTOR: "Transactor",
    Role.VIEWER: "Viewer",
    Role.ACCOUNT_OWNER: "Account owner",
    Role.CONTRIBUTOR: "Contributor",
    Role.DEVELOPER: "Developer",
}

# In the order the portal offers them (the most powerful first).
_ROLES: dict[OwnerKind, tuple[Role, ...]] = {
    OwnerKind.EMPLOYER: (Role.OWNER, Role.TRANSACTOR, Role.VIEWER),
    OwnerKind.PROVIDER: (Role.ACCOUNT_OWNER, Role.CONTRIBUTOR, Role.VIEWER),
    OwnerKind.DEVELOPER: (Role.DEVELOPER,),
}

# The organisation's owners: they manage keys and people, and the last one cannot go.
OWNER_ROLES = frozenset({Role.OWNER, Role.ACCOUNT_OWNER})


def roles_for(kind: OwnerKind) -> tuple[Role, ...]:
    """The roles a person may hold in an organisation of this kind, most powerful first."""
    return _ROLES[kind]


def owner_role(kind: OwnerKind) -> Role:
    """The role of whoever runs an organisation of this kind."""
    return _ROLES[kind][0]


def can_manage_keys(role: Role) -> bool:
    """Get, rotate and delete the organisation's keys."""
    return role in (Role.OWNER, Role.ACCOUNT_OWNER, Role.DEVELOPER)


def can_manage_team(role: Role) -> bool:
    """Invite people, change their roles, remove them."""
    return role in OWNER_ROLES


def can_review(role: Role) -> bool:
    """Approve or reject adverts a provider created under RecruitmentRequiresReview."""
    return role in (Role.OWNER, Role.TRANSACTOR)


def can_see_audit(role: Role) -> bool:
    """The organisation's audit log (platform admins see every organisation's)."""
    return role in OWNER_ROLES


def can_manage_providers(role: Role) -> bool:
    """Legal entities and which training providers may recruit for them."""
    return role is Role.OWNER


class Permission(StrEnum):
    """What a legal entity lets a training provider do."""

    RECRUITMENT = "Recruitment"
    # The provider creates adverts; the employer approves each before it goes live.
    RECRUITMENT_REQUIRES_REVIEW = "RecruitmentRequiresReview"

    @property
    def label(self) -> str:
        """How the portal shows it to the employer who gives it."""
        return {
            Permission.RECRUITMENT: "Recruitment",
            Permission.RECRUITMENT_REQUIRES_REVIEW: "Recruitment, with your review",
        }[self]


class TokenPurpose(StrEnum):
    """What a link sent by email is for. Each is single-use, and lives:"""

    CONFIRM = "confirm"  # 24 hours: confirms a new developer's email address
    INVITE = "invite"  # 7 days: an invited person sets their first password
    RESET = "reset"  # 1 hour: a person who forgot their password sets a new one


class SignInOutcome(StrEnum):
    """How a sign-in attempt ended: what the audit log records."""

    SIGNED_IN = "signed-in"
    # Wrong email or password (said the same way either way).
    FAILED = "failed"
    # Wrong email or password, and the fifth failure for this email in 15 minutes: the
    # email is locked from now on for 15 minutes.
    LOCKED_OUT = "locked-out"
    # The email is locked: refused without checking the password.
    REFUSED_LOCKED = "refused-locked"
    # Too many failures from this client address: refused without checking anything.
    THROTTLED = "throttled"
    # The right password, but the email address is not confirmed yet (a new link is sent).
    UNCONFIRMED = "unconfirmed"
    # The right password, but the person has no organisation they may act for (each is
    # suspended, or they were removed from all) and is not a platform admin.
    NO_ACCESS = "no-access"
