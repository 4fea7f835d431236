"""Amazon SES v2 on 127.0.0.1: moto's server behind a check of the SigV4 signature.

moto speaks SES's wire protocol (`POST /v2/email/outbound-emails`, raw or simple content) and
refuses a sender whose identity is not verified, as SES does; it does not check who signed
the request, so this front does what AWS does first: it recomputes the Signature Version 4
of every request with the known secret key (botocore's own signer) and answers 403
`InvalidSignatureException` or `UnrecognizedClientException` when it differs. `fail_with`
answers every send with an SES error instead (e.g. 429 `TooManyRequestsException`).
"""

from __future__ import annotations

import hmac
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.ses.models import ses_backends
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.fakes.serving import serving

ACCESS_KEY_ID = "AKIAFAKESESTESTKEY01"
SECRET_ACCESS_KEY = "fake-ses-secret-access-key"
REGION = "eu-west-1"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass
class FakeSes:
    url: str
    region: str = REGION
    fail_with: tuple[int, str] | None = None
    refused: list[str] = field(default_factory=list)  # why requests were refused

    def sent(self) -> list[EmailMessage]:
        """Every raw message SES accepted, parsed."""
        backend = ses_backends[DEFAULT_ACCOUNT_ID][self.region]
        parsed = []
        for message in backend.sent_messages:
            raw = getattr(message, "raw_data", None)
            if raw is not None:
                found = message_from_bytes(raw.encode(), policy=policy.default)
                assert isinstance(found, EmailMessage)
                parsed.append(found)
        return parsed


def _signature_problem(environ: Environ, body: bytes) -> str | None:
    match = _AUTHORIZATION.match(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        return "MissingAuthenticationTokenException"
    if match["key"] != ACCESS_KEY_ID:
        return "UnrecognizedClientException"
    headers = {}
    for name in match["headers"].split(";"):
        key = "HTTP_" + name.upper().replace("-", "_")
        value = environ.get(key) or environ.get(name.upper().replace("-", "_"))
        if value is None:
            return "InvalidSignatureException"
        headers[name] = value
    query = environ.get("QUERY_STRING")
    url = f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}" + (f"?{query}" if query else "")
    request = AWSRequest(method=environ["REQUEST_METHOD"], url=url, data=body, headers=headers)
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(
        Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), match["service"], match["region"]
    )
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    return (
        None if hmac.compare_digest(expected, match["signature"]) else ("InvalidSignatureException")
    )


def _front(fake: FakeSes, moto: Any) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        problem = _signature_problem(environ, body)
        error = (403, problem) if problem else None
        if error is None and fake.fail_with and environ["PATH_INFO"].endswith("outbound-emails"):
            error = fake.fail_with
        if error is not None:
            fake.refused.append(error[1])
            raw = json.dumps({"message": f"{error[1]} (fake SES)"}).encode()
            start_response(
                f"{error[0]} Refused",
                [
                    ("Content-Type", "application/json"),
                    ("x-amzn-ErrorType", error[1]),
                    ("Content-Length", str(len(raw))),
                ],
            )
            return [raw]
        environ["wsgi.input"] = io.BytesIO(body)
        result: Iterable[bytes] = moto(environ, start_response)
        return result

    return app


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def fake_ses() -> Iterator[FakeSes]:
    """`with fake_ses() as ses:` moto's SES (reset) behind the signature check."""
    fake = FakeSes(url="")
    front = _front(fake, DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, front, threaded=True, request_handler=_Quiet)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    ses_backends[DEFAULT_ACCOUNT_ID][REGION].reset()
    try:
        with serving(server):
            yield fake
    finally:
        ses_backends[DEFAULT_ACCOUNT_ID][REGION].reset()
