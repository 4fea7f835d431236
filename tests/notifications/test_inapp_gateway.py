"""The live feed through the real nginx gateway: events arrive as they happen, unbuffered."""

from __future__ import annotations

from pathlib import Path

import pytest

from sift.contracts.events.identity import MfaDisabled
from sift.core.config import CoreSettings
from tests.e2e.test_gateway_errors import gateway_to
from tests.notifications.inapp import Inbox, inbox, signing_key
from tests.notifications.streams import feed, replica

__all__ = ["inbox", "signing_key"]  # fixtures

pytestmark = pytest.mark.e2e


async def test_the_stream_is_not_buffered_by_the_gateway(inbox: Inbox, tmp_path: Path) -> None:
    me = inbox.caller()
    gateway_settings: CoreSettings = inbox.settings.model_copy(update={"data_dir": tmp_path})
    async with (
        replica(inbox) as service,
        gateway_to(gateway_settings, "notifications", int(service.base_url.port or 0)) as gateway,
        feed(gateway, me) as live,
    ):
        assert live.response.headers["content-type"].startswith("text/event-stream")
        assert (await live.event())["event"] == "unread_count"
        await inbox.publish(
            MfaDisabled(user_id=me.user_id, email="me@example.com"), producer="identity"
        )
        await inbox.deliver()
        # A few hundred bytes: a buffering proxy would hold them until the stream ends.
        assert (await live.event())["event"] == "notification"
