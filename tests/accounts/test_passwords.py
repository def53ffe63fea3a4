"""The password policy and Argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from apprenticeships.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    Passwords,
    common_passwords,
    password_problem,
)
from tests.accounts.conftest import cheap_passwords


def test_the_shipped_list_is_the_twenty_thousand_common_passwords() -> None:
    common = common_passwords()
    assert len(common) == 19_640
    assert {"password", "123456", "qwerty"} <= common
    assert all(entry == entry.lower() for entry in common)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "Enter a password"),
        ("a" * (MIN_LENGTH - 1), "Password must be 12 characters or more"),
        ("a" * MIN_LENGTH, None),
        ("a" * MAX_LENGTH, None),
        ("a" * (MAX_LENGTH + 1), "Password must be 256 characters or fewer"),
        # In the list (lower-cased, trimmed, as Django compares), and long enough.
        ("1q2w3e4r5t6y", "Choose a password that is harder to guess"),
        ("1Q2W3E4R5T6Y", "Choose a password that is harder to guess"),
        ("  1q2w3e4r5t6y  ", "Choose a password that is harder to guess"),
        # No composition rules: lower-case words alone are fine.
        ("correct horse battery staple", None),
        # Counted in characters, after NFKC: 12 full-width letters are 12 characters.
        ("ｐａｓｓｗｏｒｄｐａｓｓｗ", None),
    ],
)
def test_the_policy(password: str, problem: str | None) -> None:
    assert password_problem(password) == problem


def test_the_policy_names_the_field_it_is_for() -> None:
    assert password_problem("", "new password") == "Enter a new password"
    assert password_problem("short", "new password") == "New password must be 12 characters or more"


async def test_hashes_are_argon2id_and_verify_only_the_same_password() -> None:
    passwords = cheap_passwords()
    hashed = await passwords.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert (await passwords.verify(hashed, "correct horse battery staple")).ok
    assert not (await passwords.verify(hashed, "correct horse battery stapl")).ok
    assert not (await passwords.verify("not a hash", "anything")).ok


async def test_the_same_password_typed_in_another_unicode_form_matches() -> None:
    passwords = cheap_passwords()
    hashed = await passwords.hash("cafe\u0301 au lait 1234")  # e + combining accent
    assert (await passwords.verify(hashed, "caf\u00e9 au lait 1234")).ok  # precomposed é


async def test_a_hash_made_with_weaker_parameters_is_replaced_when_it_verifies() -> None:
    weak = cheap_passwords()
    strong = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    old = await weak.hash("correct horse battery staple")
    verified = await strong.verify(old, "correct horse battery staple")
    assert verified.ok and verified.new_hash is not None
    assert "m=2048,t=2" in verified.new_hash
    assert (await strong.verify(verified.new_hash, "correct horse battery staple")).new_hash is None
    assert (await strong.verify(old, "wrong password here")).new_hash is None


def test_the_default_parameters_are_argon2_cffis_rfc_9106_choice() -> None:
    hasher = Passwords().hasher
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        Type.ID,
        3,
        65536,
        4,
    )
    with pytest.raises(ValueError, match="Argon2id"):
        Passwords(PasswordHasher(type=Type.I))


class CountingHasher(PasswordHasher):
    """The real hasher, counting the Argon2 verifications it runs and their parameters."""

    verified: list[str]

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified.append(str(hash).split("$")[3])
        return super().verify(hash, password)


async def test_checking_against_no_hash_does_the_work_of_a_real_check() -> None:
    """No account (or no password yet) costs one Argon2 verification with today's
    parameters, as a wrong password does, so timing does not tell them apart."""
    hasher = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hasher.verified = []
    passwords = Passwords(hasher)
    real = await passwords.hash("correct horse battery staple")
    assert not (await passwords.verify(real, "a wrong password!")).ok
    assert not (await passwords.verify(None, "a wrong password!")).ok
    assert not (await passwords.verify(None, "another wrong one")).ok
    assert hasher.verified == ["m=1024,t=1,p=1"] * 3
