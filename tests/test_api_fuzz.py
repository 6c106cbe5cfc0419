"""Schema-driven fuzzing of the REST API with schemathesis: requests made from the app's own OpenAPI
document, valid and invalid, with a valid key, against the app served on 127.0.0.1. None may make
the server fail (5xx), and every answer must be one the document describes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)

from draftdesk.container import Container
from tests.conftest import drafting_container, serving

EXAMPLES = 12  # per operation and generation mode: the whole run stays well under two minutes


@pytest.fixture(scope="module")
def served(full_store: Container, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data: Path = tmp_path_factory.mktemp("fuzz")
    # A high rate limit: the fuzzer is one client that must not be slowed down by it.
    c = drafting_container(full_store, data, api_rate_limit=100_000, api_max_body_mb=2)
    _, secret = c.api_keys.create("fuzzer")
    with serving(c) as url:
        yield url, secret
    c.close()


def test_no_request_makes_the_api_fail(served: tuple[str, str]) -> None:
    """Every operation, valid and invalid requests. Hypothesis is driven here, per operation, rather
    than through schemathesis's lazy pytest loader, whose subtests do not run on pytest 9."""
    url, secret = served
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    headers = {"Authorization": f"Bearer {secret}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                phases=[Phase.explicit, Phase.generate],
            )
            def run(case: Any) -> None:
                nonlocal calls
                response = case.call(base_url=url, headers=headers, timeout=120)
                calls += 1
                case.validate_response(response, checks=checks)

            try:
                run()
            except Unsatisfiable:
                # /healthz and /readyz take no input: there is no invalid request to make of them.
                assert mode == GenerationMode.NEGATIVE and not operation.path.startswith("/api/"), operation
    assert calls > len(operations)
