"""Recruitment API version 1 against the contract written from the real service (fixtures/recruitment-v1.json).
A failure names the compatibility decision the difference waits for, or says none does."""

from __future__ import annotations

import pytest

from tests.contract import contract
from tests.contract.conftest import World

CASES = contract.load("recruitment-v1.json")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_recruitment_v1_answers_as_the_real_service(world: World, case: contract.Case) -> None:
    world.verify(case)
