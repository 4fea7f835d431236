"""Text inputs through every service's API: what PostgreSQL cannot store is refused
everywhere, and names people see are shown without bidirectional tricks.

The sweep sends every string input of every operation of the merged OpenAPI a NUL byte, a
lone surrogate, a megabyte of text, and text of its declared maximum length and one more:
never a 5xx (and one more than the maximum is refused). The inputs come from the specs, not
from a list: JSON body fields (nested objects, list items and dictionary keys included,
`$ref`s resolved), query, path and multipart form fields. Each request carries one bad
value and valid values elsewhere, from an owner of the organization, to every service app
over ASGI on the real PostgreSQL and Redis. A NUL byte must be refused as invalid (422)
naming the input it was in, and so must a lone surrogate where one can arrive at all
(JSON escapes it; URLs and form fields carry bytes, which never decode to one).
"""

from __future__ import annotations

from sift.runtime.apidocs import merge_specs
from tests import every_service
from tests.every_service import Services
from tests.text_input_cases import (
    BAD_VALUES,
    Spec,
    cases,
    must_be_refused,
    refused_at,
    send,
)

services = every_service.services  # the fixture


async def test_no_text_input_anywhere_makes_a_service_fail(services: Services) -> None:
    spec = Spec(merge_specs([(name, app.openapi()) for name, app in services.apps.items()]))
    swept = list(cases(spec, services.ids))
    failures, misjudged = [], []
    for case in swept:
        client, headers = services.clients[case.service], services.headers[case.service]
        response = await send(client, headers, case)
        if response.status_code >= 500:
            failures.append(f"{case}: {response.status_code} {response.text[:200]}")
        elif case.kind == "beyond" and response.status_code < 400:
            misjudged.append(f"{case}: {response.status_code}, over the declared limit")
        elif must_be_refused(case) and not refused_at(response, case):
            misjudged.append(f"{case}: {response.status_code} {response.text[:300]}")
    assert failures == []
    assert misjudged == []
    operations = {f"{case.method.upper()} {case.path}" for case in swept}
    # The sweep found the inputs that once failed, and inputs of every kind.
    assert {
        "POST /api/collections",
        "PATCH /api/documents/{document_id}",
        "POST /api/documents",
        "GET /api/documents",
        "POST /api/search",
        "POST /api/saved-searches",
        "POST /api/assistant/ask",
        "PATCH /api/users/me",
        "POST /api/orgs",
        "POST /api/orgs/{org_id}/api-keys",
        "POST /api/assistant/messages/{message_id}/feedback",
    } <= operations
    assert {case.location[0] for case in swept} == {"body", "query", "path"}
    assert {case.kind for case in swept} == set(BAD_VALUES)
    assert len(swept) > 300


async def test_a_question_with_a_nul_byte_is_refused_before_any_search(
    services: Services,
) -> None:
    answer = await services.clients["assistant"].post(
        "/api/assistant/ask",
        headers=services.headers["assistant"],
        json={"question": "What is\x00 in the notes?"},
    )
    assert answer.status_code == 422, answer.text  # once 503 retrieval-unavailable
    assert answer.json()["errors"][0]["loc"] == ["body", "question"]


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Q3 {RLO}fdp.exe" reads as "Q3 exe.pdf"
SPOOFED = f"  Q3{RLO} fdp.exe\u200b\u2066 "
SHOWN = "Q3 fdp.exe"


async def test_names_people_see_lose_bidirectional_overrides_everywhere(
    services: Services,
) -> None:
    ids, clients, headers = services.ids, services.clients, services.headers
    identity, documents = clients["identity"], clients["documents"]
    org = f"/api/orgs/{ids['org_id']}"
    collection = f"/api/collections/{ids['collection_id']}"
    document = f"/api/documents/{ids['document_id']}"
    answers = {
        "profile": await identity.patch(
            "/api/users/me", headers=headers["identity"], json={"name": SPOOFED}
        ),
        "new organization": await identity.post(
            "/api/orgs", headers=headers["identity"], json={"name": SPOOFED}
        ),
        "organization": await identity.patch(
            org, headers=headers["identity"], json={"name": SPOOFED}
        ),
        "API key": await identity.post(
            f"{org}/api-keys",
            headers=headers["identity"],
            json={"name": SPOOFED, "permissions": ["documents:read"]},
        ),
        "new collection": await documents.post(
            "/api/collections", headers=headers["documents"], json={"name": "New" + SPOOFED}
        ),
        "collection": await documents.patch(
            collection, headers=headers["documents"], json={"name": SPOOFED}
        ),
        "uploaded document": await documents.post(
            "/api/documents",
            headers=headers["documents"],
            data={"collection_id": ids["collection_id"], "title": SPOOFED},
            files={"file": ("other.txt", b"Other notes.\n", "text/plain")},
        ),
        "document": await documents.patch(
            document, headers=headers["documents"], json={"title": SPOOFED}
        ),
        "saved search": await clients["search"].post(
            "/api/saved-searches",
            headers=headers["search"],
            json={"name": SPOOFED, "query": "notes"},
        ),
    }
    shown = {}
    for what, answer in answers.items():
        assert answer.status_code in (200, 201), f"{what}: {answer.text}"
        shown[what] = answer.json().get("name") or answer.json().get("title")
    assert shown == {
        **dict.fromkeys(answers, SHOWN),
        "new collection": "New " + SHOWN,
    }
    tagged = await documents.patch(
        document, headers=headers["documents"], json={"tags": [f"in{RLO}voice", "q3"]}
    )
    assert tagged.json()["tags"] == ["invoice", "q3"]
