"""Authentication and authorization for every service.

- `permissions`: roles and the one permission table;
- `principal`: who is calling (`Principal`);
- `tokens`: access-token claims and local verification; `jwks`: identity's cached keys;
- `dependencies`: `Authorize("perm")`, `Public("why")`, the app's `Authenticator`;
- `revocation`: the revocation list identity writes and every service checks;
- `csrf`: double-submit token and origin check for cookie-authenticated calls;
- `sealing`: keys derived from the platform secret, secrets sealed for events;
- `testing`: the route-walking check that every route declares a permission.
"""

from sift.core.auth.dependencies import Authenticator, Authorize, PermissionDenied, Public
from sift.core.auth.permissions import ROLE_PERMISSIONS, Permission, Role, permissions_for
from sift.core.auth.principal import Principal, PrincipalKind
from sift.core.auth.tokens import AccessClaims, InvalidToken, TokenVerifier

__all__ = [
    "ROLE_PERMISSIONS",
    "AccessClaims",
    "Authenticator",
    "Authorize",
    "InvalidToken",
    "Permission",
    "PermissionDenied",
    "Principal",
    "PrincipalKind",
    "Public",
    "Role",
    "TokenVerifier",
    "permissions_for",
]
