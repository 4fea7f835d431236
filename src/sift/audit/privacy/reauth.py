"""Re-authentication before an erasure: identity checks the password and second factor.

Identity owns credentials; audit asks its internal API as the caller (token forwarded)
and learns the user's ID and the organizations where they are the only member.
"""

from __future__ import annotations

import uuid

import httpx
import structlog
from fastapi import Request
from pydantic import BaseModel, ValidationError

from sift.audit.privacy.config import get_privacy_settings
from sift.audit.privacy.exceptions import (
    IdentityUnavailable,
    OwnershipNeeded,
    ReauthenticationFailed,
    ReauthenticationRefused,
)
from sift.core.http import create_http_client

log = structlog.get_logger()


class Reauthenticated(BaseModel):
    user_id: uuid.UUID
    sole_member_org_ids: list[uuid.UUID]


class IdentityClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def reauthenticate(
        self, authorization: str, password: str, mfa_code: str | None
    ) -> Reauthenticated:
        try:
            response = await self.client.post(
                "/internal/identity/reauthenticate",
                headers={"Authorization": authorization},
                json={"password": password, "mfa_code": mfa_code},
            )
        except httpx.HTTPError as exc:
            log.warning("privacy.identity_unreachable", error=type(exc).__name__)
            raise IdentityUnavailable() from exc
        if response.status_code == 200:
            try:
                return Reauthenticated.model_validate(response.json())
            except (ValueError, ValidationError) as exc:
                raise IdentityUnavailable() from exc
        detail = _detail(response)
        if response.status_code == 401:
            raise ReauthenticationFailed(detail or "Wrong password or code.")
        if response.status_code == 409:
            raise OwnershipNeeded(detail or "Make another member an owner first.")
        if response.status_code in (400, 403, 422):
            raise ReauthenticationRefused(detail or "Re-authentication was refused.")
        raise IdentityUnavailable()


def _detail(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else None


def get_identity_client(request: Request) -> IdentityClient:
    """One client per app; tests put a transport to the identity app in `state`."""
    state = request.app.state
    client = getattr(state, "privacy_identity_client", None)
    if client is None:
        transport = getattr(state, "privacy_identity_transport", None)
        client = create_http_client(
            base_url=get_privacy_settings().identity_url, transport=transport
        )
        state.privacy_identity_client = client
    return IdentityClient(client)
