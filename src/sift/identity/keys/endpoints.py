"""The public signing keys (`/.well-known/jwks.json`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from sift.core.auth import Public
from sift.identity.access import KeysDep

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json", dependencies=[Depends(Public("public keys for verifiers"))])
async def jwks(keys: KeysDep, response: Response) -> dict[str, Any]:
    """The keys that verify access tokens (JWKS, RFC 7517)."""
    response.headers["Cache-Control"] = "public, max-age=60"
    return await keys.jwks()
