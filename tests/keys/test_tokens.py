from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from apprenticeships.catalog.products import Environment
from apprenticeships.keys import tokens


def test_keys_are_prefixed_by_environment_and_checksummed() -> None:
    live = tokens.generate(Environment.LIVE).secret
    sandbox = tokens.generate(Environment.SANDBOX).secret
    assert re.fullmatch(r"appr_live_[0-9A-Za-z]{38}", live)
    assert re.fullmatch(r"appr_sandbox_[0-9A-Za-z]{38}", sandbox)
    assert tokens.environment_of(live) is Environment.LIVE
    assert tokens.environment_of(sandbox) is Environment.SANDBOX


def test_keys_carry_at_least_160_random_bits() -> None:
    assert tokens.RANDOM_LENGTH * math.log2(len(tokens.ALPHABET)) >= 160
    assert len({tokens.generate(Environment.LIVE).secret for _ in range(1000)}) == 1000


def test_every_single_character_typo_is_caught_by_the_checksum() -> None:
    key = tokens.generate(Environment.LIVE).secret
    prefix = len(tokens.PREFIXES[Environment.LIVE])
    for position in range(prefix, len(key)):
        for replacement in "0aZ":
            if key[position] == replacement:
                continue
            typo = key[:position] + replacement + key[position + 1 :]
            assert tokens.environment_of(typo) is None, typo


def test_swapping_the_prefix_invalidates_the_key() -> None:
    key = tokens.generate(Environment.LIVE).secret
    assert tokens.environment_of(key.replace("appr_live_", "appr_sandbox_")) is None


@given(st.text(max_size=80))
def test_random_strings_are_not_keys(text: str) -> None:
    assert tokens.environment_of(text) is None


def test_hash_is_keyed_and_fragment_shows_only_prefix_and_last_four() -> None:
    key = tokens.generate(Environment.LIVE).secret
    first = tokens.key_hash(b"one secret", key)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != tokens.key_hash(b"another secret", key)
    assert tokens.visible_fragment(key) == f"appr_live_…{key[-4:]}"


def test_hot_path_hasher_matches_the_stored_hash() -> None:
    hasher = tokens.KeyHasher(b"server secret")
    for _ in range(3):
        key = tokens.generate(Environment.LIVE).secret
        assert hasher.hash(key) == tokens.key_hash(b"server secret", key)
