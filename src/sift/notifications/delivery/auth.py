"""Who may call the delivery routes: organization admins and owners.

`members:manage` is the admins' permission that fits best until notifications have one
of their own: it is held by admins and owners, and never by an API key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal, Public

DeliveriesManage = Annotated[Principal, Depends(Authorize("members:manage"))]

# The link in the mail is the credential: it is signed for one user and one kind of mail.
UNSUBSCRIBE_LINK = Public("the signed unsubscribe link in the mail authenticates it (RFC 8058)")
