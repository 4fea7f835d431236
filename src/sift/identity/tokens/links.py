"""Single-use link tokens (e-mail verification, password reset, invitation).

The token is 256 random bits shown once in the e-mailed link; the table keeps its HMAC
under a key derived from the platform secret. Redeeming locks the row, so a link works
exactly once even when clicked twice at the same moment.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.errors import BadRequest
from sift.identity.hashing import keyed_hash, new_token
from sift.identity.models import SingleUseToken, TokenPurpose
from sift.identity.tokens.repository import link_token_repository
from sift.identity.web import IdentityContext


class InvalidLink(BadRequest):
    code = "invalid-link"
    title = "Invalid or expired link"


class LinkTokenService:
    async def issue(
        self,
        session: AsyncSession,
        context: IdentityContext,
        purpose: TokenPurpose,
        *,
        lifetime: timedelta,
        user_id: uuid.UUID | None = None,
        email: str | None = None,
        invitation_id: uuid.UUID | None = None,
    ) -> tuple[str, SingleUseToken]:
        token = new_token()
        row = SingleUseToken(
            purpose=purpose,
            token_hash=keyed_hash(context.settings, token),
            user_id=user_id,
            email=email,
            invitation_id=invitation_id,
            expires_at=datetime.now(UTC) + lifetime,
        )
        session.add(row)
        await session.flush()
        return token, row

    async def redeem(
        self, session: AsyncSession, context: IdentityContext, purpose: TokenPurpose, token: str
    ) -> SingleUseToken:
        """Marks the token used and returns it; `InvalidLink` if unknown, used or expired."""
        row = await link_token_repository.by_hash_for_update(
            session, keyed_hash(context.settings, token), purpose
        )
        now = datetime.now(UTC)
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise InvalidLink("This link is invalid, was already used or has expired.")
        row.used_at = now
        return row

    async def expire_all(
        self, session: AsyncSession, user_id: uuid.UUID, purpose: TokenPurpose
    ) -> None:
        """Uses up every outstanding token of the user for `purpose` (a reset done, ...)."""
        await link_token_repository.retire_unused(session, user_id, purpose, datetime.now(UTC))


link_tokens = LinkTokenService()
