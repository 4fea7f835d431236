"""Schemathesis against the merged OpenAPI of every service, as every kind of caller.

Each operation gets generated requests (valid and edge-case data, path IDs of real
things about half of the time) from an owner, an admin, an editor, a viewer and an API
key of one organization, over ASGI on the real PostgreSQL and Redis. Every answer must be
no 5xx, have a status code and content type the operation documents, and a body that
conforms to the documented schema. The deterministic slice runs in `make test`; the full
run is `SIFT_SCHEMATHESIS_EXAMPLES=40` (docs/security-testing.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sift import SERVICES
from sift.core.auth.permissions import Role
from sift.core.config import CoreSettings, Environment
from sift.identity.mfa.config import TwilioSettings
from sift.runtime.apidocs import merge_specs, service_spec
from tests import every_service
from tests.every_service import API_KEY, Services
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, fake_twilio
from tests.security.api_cases import (
    LIVE_FEEDS,
    draw,
    examples_per_operation,
    is_full_run,
    operations,
    send,
)

services = every_service.services  # the fixture

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Least privilege first and deletions last: the owner's deletion of a real thing (the
# organization, its own account) comes after every other request that needed it.
CALLERS = [Role.viewer, Role.editor, API_KEY, Role.admin, Role.owner]
METHOD_ORDER = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}


@pytest.fixture
def texting(services: Services) -> Iterator[FakeTwilio]:
    """identity texts through a fake Twilio: without one, a phone number is a 503."""
    with fake_twilio() as twilio:
        services.apps["identity"].state.twilio = TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            from_number=FROM_NUMBER,
            base_url=twilio.url,
        )
        yield twilio


# The full run sends > 10,000 requests: more than the suite's 300 s per test; the short run
# takes ~150 s on a quiet host and twice that on a busy one (every route of six services).
@pytest.mark.timeout(3600 if is_full_run() else 600)
async def test_every_operation_answers_as_documented_for_every_caller(
    services: Services, texting: FakeTwilio
) -> None:
    document = merge_specs([(name, app.openapi()) for name, app in services.apps.items()])
    owners = {
        (path, method): operation["operationId"].split("_", 1)[0]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    count = examples_per_operation()
    failures: list[str] = []
    sent = 0
    for operation in sorted(operations(document), key=lambda op: METHOD_ORDER[op.method]):
        client = services.clients[owners[(operation.path, operation.method)]]
        for caller in CALLERS:
            for case in draw(operation, services.ids, count):
                response = await send(client, case, services.callers[caller])
                sent += 1
                failures.extend(
                    f"{operation.label} as {caller}: {failure}"
                    for failure in judged(case, response)
                )
    assert not failures, "\n".join(sorted(set(failures)))
    # Every operation but the live feeds was reached by every caller; the full run is what
    # the spec asks.
    assert sent >= (len(owners) - len(LIVE_FEEDS)) * len(CALLERS) * min(count, 1)
    if is_full_run():
        assert sent >= 10_000, f"the full run sent only {sent} requests"


def judged(case: Case, response: httpx.Response) -> list[str]:
    """What is wrong with the answer, one line a failed check (the status and its why)."""
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as failed:
        answered = f"{response.status_code} {response.text[:150]}"
        return [
            " ".join(f"{failure.title}: {failure.message} -> {answered}".split())[:400]
            for failure in failed.exceptions
        ]
    return []


def test_every_paginated_operation_documents_its_invalid_cursor_problem() -> None:
    settings = CoreSettings(env=Environment.test, log_json=False)
    document = merge_specs([(name, service_spec(name, settings)) for name in SERVICES])
    paginated = {
        f"{method.upper()} {path}": operation["responses"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if any(p["name"] == "cursor" for p in operation.get("parameters", ()))
    }
    assert "GET /api/collections/{collection_id}/members" in paginated  # once undocumented
    undocumented = [name for name, responses in paginated.items() if "400" not in responses]
    assert undocumented == []
