"""Roles: which kind of organisation has each, their labels, and what each may do."""

from __future__ import annotations

import pytest

from apprenticeships.accounts.vocabulary import (
    Permission,
    Role,
    can_manage_keys,
    can_manage_providers,
    can_manage_team,
    can_review,
    can_see_audit,
    owner_role,
    roles_for,
)
from apprenticeships.catalog.products import OwnerKind


def test_each_kind_offers_its_roles_most_powerful_first() -> None:
    assert roles_for(OwnerKind.EMPLOYER) == (Role.OWNER, Role.TRANSACTOR, Role.VIEWER)
    assert roles_for(OwnerKind.PROVIDER) == (Role.ACCOUNT_OWNER, Role.CONTRIBUTOR, Role.VIEWER)
    assert roles_for(OwnerKind.DEVELOPER) == (Role.DEVELOPER,)
    assert Role.VIEWER.kinds == {OwnerKind.EMPLOYER, OwnerKind.PROVIDER}
    assert Role.ACCOUNT_OWNER.kinds == {OwnerKind.PROVIDER}
    assert owner_role(OwnerKind.PROVIDER) is Role.ACCOUNT_OWNER


def test_stored_values_are_the_cli_names_and_labels_the_portals() -> None:
    assert [(r.value, r.label) for r in Role] == [
        ("Owner", "Owner"),
        ("Transactor", "Transactor"),
        ("Viewer", "Viewer"),
        ("AccountOwner", "Account owner"),
        ("Contributor", "Contributor"),
        ("Developer", "Developer"),
    ]
    assert [(p.value, p.label) for p in Permission] == [
        ("Recruitment", "Recruitment"),
        ("RecruitmentRequiresReview", "Recruitment, with your review"),
    ]


@pytest.mark.parametrize(
    ("role", "keys", "team", "review", "audit", "providers"),
    [
        (Role.OWNER, True, True, True, True, True),
        (Role.TRANSACTOR, False, False, True, False, False),
        (Role.VIEWER, False, False, False, False, False),
        (Role.ACCOUNT_OWNER, True, True, False, True, False),
        (Role.CONTRIBUTOR, False, False, False, False, False),
        (Role.DEVELOPER, True, False, False, False, False),
    ],
)
def test_what_each_role_may_do(
    role: Role, keys: bool, team: bool, review: bool, audit: bool, providers: bool
) -> None:
    assert (
        can_manage_keys(role),
        can_manage_team(role),
        can_review(role),
        can_see_audit(role),
        can_manage_providers(role),
    ) == (keys, team, review, audit, providers)
