"""Errors of the organization's AI settings and of its monthly quota."""

from __future__ import annotations

from datetime import datetime

from sift.core.errors import RateLimited, SiftError


class ProviderNotOffered(SiftError):
    """A default provider this installation cannot answer with (not in its chain, or no key)."""

    status_code = 422
    code = "provider-not-offered"
    title = "Provider not offered"

    def __init__(self, provider: str, offered: list[str]) -> None:
        detail = (
            f"This installation cannot answer with {provider}; "
            f"choose one of: {', '.join(offered)}."
        )
        super().__init__(detail, errors=[{"loc": ["body", "default_provider"], "msg": detail}])


class MonthlyQuotaExceeded(RateLimited):
    code = "monthly-quota-exceeded"
    title = "Monthly AI quota used up"

    def __init__(self, quota: int, resets_at: datetime, retry_after: int) -> None:
        super().__init__(
            retry_after,
            f"Your organization has used its {quota} AI answers for this month; "
            f"the quota resets on {resets_at:%d %B %Y} (UTC). "
            "An admin can raise it under Settings → Organization.",
        )
        self.extensions = {"quota": quota, "resets_at": f"{resets_at:%Y-%m-%dT%H:%M:%SZ}"}
