"""Fuzzing an API against the OpenAPI document the platform publishes for it, with
schemathesis, in-process (ASGI, no server).

Schemathesis's pytest integration (``from_fixture``) is not used: it sets
``Node._nodeid``, which pytest 9.2 no longer has. Each operation and generation mode is
fuzzed by a hypothesis test of its own, and every failure is collected, not only the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apprenticeships.app import Platform

KEY_HEADER = "Ocp-Apim-Subscription-Key"
# The document's servers are public URLs; the in-process app is called at the bare path.
LIVE_URL = "http://testserver"
SANDBOX_URL = "http://testserver/sandbox"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# What a case may be changed by before it is sent (to aim it at seeded data).
Prepare = Callable[[schemathesis.Case, st.DataObject], None]


@dataclass
class FuzzWorld:
    schema: schemathesis.BaseSchema
    keys: dict[str, str]

    @classmethod
    def load(cls, platform: Platform, document: str, keys: dict[str, str]) -> FuzzWorld:
        # Loading the document starts the platform's lifespan; schemathesis's pytest
        # plugin ends it when the test is torn down.
        return cls(schemathesis.openapi.from_asgi(document, platform), keys)

    def call_and_validate(
        self, case: schemathesis.Case, base_url: str, key: str
    ) -> schemathesis.Response:
        return case.call_and_validate(
            base_url=base_url, headers={KEY_HEADER: self.keys[key]}, checks=CHECKS
        )

    def fuzz(self, environments: Sequence[tuple[str, str]], prepare: Prepare) -> list[str]:
        """Fuzz every operation in both generation modes, each case sent to every
        (base URL, key) environment; the failures, described.

        Each operation and mode is a property test of its own, so each gets a quarter of
        the Hypothesis profile's examples (tests/conftest.py): fuzzing a whole API costs
        a few property tests, not one for every operation and mode."""
        examples = max(1, settings.default.max_examples // 4)
        failures: list[str] = []
        for operation in (result.ok() for result in self.schema.get_all_operations()):
            for mode in schemathesis.GenerationMode:

                @settings(
                    max_examples=examples,
                    # One function per operation and mode: a shared example database
                    # would replay one operation's examples against another.
                    database=None,
                    suppress_health_check=[
                        HealthCheck.too_slow,
                        HealthCheck.filter_too_much,
                        HealthCheck.data_too_large,
                        HealthCheck.large_base_example,
                    ],
                )
                @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
                def fuzz(case: schemathesis.Case, data: st.DataObject) -> None:
                    prepare(case, data)
                    for base_url, key in environments:
                        self.call_and_validate(case, base_url, key)

                try:
                    fuzz()
                except (Exception, schemathesis.errors.FailureGroup) as error:
                    failures.append(f"{operation.label} ({mode.value} data):\n{error}")
        return failures

    def operations(self) -> list[str]:
        return [result.ok().label for result in self.schema.get_all_operations()]
