"""The one permission table: what each organization role may do.

Every endpoint of every service declares one of these permissions through
`Authorize(...)`. Collection-level grants (the documents service's) layer on top of
`documents:*`; they never widen what a role allows in the organization.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    editor = "editor"
    viewer = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def outranks_or_equals(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {Role.viewer: 0, Role.editor: 1, Role.admin: 2, Role.owner: 3}


class Permission(StrEnum):
    # The caller's own account: profile, password, sessions; creating organizations.
    account_manage = "account:manage"
    org_create = "org:create"
    # The current organization.
    org_read = "org:read"
    org_manage = "org:manage"
    members_read = "members:read"
    members_manage = "members:manage"
    api_keys_manage = "api_keys:manage"
    # Content.
    documents_read = "documents:read"
    documents_write = "documents:write"
    collections_manage = "collections:manage"
    search_read = "search:read"
    assistant_ask = "assistant:ask"
    # The organization's AI settings: default provider, monthly answer quota.
    assistant_manage = "assistant:manage"
    notifications_read = "notifications:read"
    # Oversight.
    audit_read = "audit:read"
    analytics_read = "analytics:read"
    privacy_manage = "privacy:manage"


P = Permission

_VIEWER = frozenset(
    {
        P.account_manage,
        P.org_create,
        P.org_read,
        P.members_read,
        P.documents_read,
        P.search_read,
        P.assistant_ask,
        P.notifications_read,
    }
)
_EDITOR = _VIEWER | {P.documents_write}
_ADMIN = _EDITOR | {
    P.members_manage,
    P.collections_manage,
    P.assistant_manage,
    P.api_keys_manage,
    P.audit_read,
    P.analytics_read,
}
_OWNER = _ADMIN | {P.org_manage, P.privacy_manage}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: _VIEWER,
    Role.editor: _EDITOR,
    Role.admin: _ADMIN,
    Role.owner: _OWNER,
}

# Only a person signed in may do these; an API key never holds them, whatever its creator's role.
USER_ONLY_PERMISSIONS: frozenset[Permission] = frozenset(
    {P.account_manage, P.org_create, P.members_manage, P.api_keys_manage, P.privacy_manage}
)


def permissions_for(role: Role | str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role(role)]


def roles_with(permission: Permission | str) -> frozenset[Role]:
    """The roles that hold `permission` (for tests and docs)."""
    wanted = Permission(permission)
    return frozenset(role for role, granted in ROLE_PERMISSIONS.items() if wanted in granted)
