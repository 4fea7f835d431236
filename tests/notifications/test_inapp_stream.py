"""The live feed: two real replicas (uvicorn) sharing Redis, events through the consumer,
reconnecting with Last-Event-ID, heartbeats and the headers that keep proxies from buffering."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from sift.contracts.events.identity import RecoveryCodeUsed
from tests.notifications.inapp import Caller, Inbox, inbox, signing_key
from tests.notifications.streams import feed, replica

__all__ = ["inbox", "signing_key"]  # fixtures


async def alert(inbox: Inbox, me: Caller, remaining: int) -> None:
    await inbox.publish(
        RecoveryCodeUsed(user_id=me.user_id, email="me@example.com", remaining=remaining),
        producer="identity",
    )
    await inbox.deliver()


async def test_a_notification_stored_reaches_the_stream_on_another_replica(inbox: Inbox) -> None:
    me = inbox.caller()
    async with replica(inbox) as first, replica(inbox) as second, feed(second, me) as live:
        assert (await live.event())["event"] == "unread_count"

        await alert(inbox, me, remaining=7)  # stored by the consumer, signalled over Redis
        event = await live.event()
        assert event["event"] == "notification"
        notification = httpx.Response(200, content=event["data"]).json()
        assert event["id"] == notification["id"]
        assert "7 are left" in notification["body"]
        count = await live.event()
        assert (count["event"], count["data"], count["id"]) == (
            "unread_count",
            '{"count": 1}',
            notification["id"],
        )

        # Read on the first replica: the stream on the second hears of it.
        answer = await first.post(
            f"/api/notifications/{notification['id']}/read", headers=me.headers
        )
        assert answer.status_code == 204
        count = await live.event()
        assert (count["event"], count["data"]) == ("unread_count", '{"count": 0}')


async def test_a_reconnect_with_last_event_id_loses_nothing(inbox: Inbox) -> None:
    me = inbox.caller()
    await alert(inbox, me, remaining=9)
    async with replica(inbox) as client:
        async with feed(client, me) as live:
            first = await live.event()
            # A new stream replays nothing (the client lists the inbox) but says where it is.
            assert first["event"] == "unread_count" and first["data"] == '{"count": 1}'
            seen = first["id"]

        await alert(inbox, me, remaining=8)  # while nobody listens
        await alert(inbox, me, remaining=7)

        async with feed(client, me, last_event_id=seen) as live:
            missed = [await live.event(), await live.event()]
            assert [event["event"] for event in missed] == ["notification", "notification"]
            bodies = [httpx.Response(200, content=e["data"]).json()["body"] for e in missed]
            assert ["8 are left" in bodies[0], "7 are left" in bodies[1]] == [True, True]
            count = await live.event()
            assert count["data"] == '{"count": 3}' and count["id"] == missed[-1]["id"]


async def test_heartbeats_and_headers_keep_proxies_from_closing_or_buffering(
    inbox: Inbox,
) -> None:
    me = inbox.caller()
    async with replica(inbox, stream_heartbeat_seconds=0.2) as client, feed(client, me) as live:
        headers = live.response.headers
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["x-accel-buffering"] == "no"
        assert headers["cache-control"] == "no-store"
        # Nothing seen yet: an empty ID, so that a reconnect sends no Last-Event-ID.
        assert await live.block() == {"event": "unread_count", "data": '{"count": 0}', "id": ""}
        assert "comment" in await live.block()  # a heartbeat comment, with nothing to say


async def test_a_stream_sees_only_its_users_notifications(inbox: Inbox) -> None:
    me, other = inbox.caller(), inbox.caller()
    async with replica(inbox) as client, feed(client, me) as live:
        assert (await live.event())["event"] == "unread_count"
        await alert(inbox, other, remaining=3)
        await alert(inbox, me, remaining=2)
        event = await live.event()
        assert "2 are left" in httpx.Response(200, content=event["data"]).json()["body"]


async def test_the_stream_ends_when_its_token_expires(inbox: Inbox) -> None:
    me = inbox.caller(expires_in=2)
    async with replica(inbox) as client, feed(client, me) as live:
        assert (await live.event())["event"] == "unread_count"
        started = time.monotonic()
        with pytest.raises(AssertionError, match="the stream ended"):
            await live.event()
        assert time.monotonic() - started < 5


async def test_a_replica_holds_one_subscription_for_all_its_streams(inbox: Inbox) -> None:
    me = inbox.caller()
    channel = inbox.settings.redis_key("notifications", "user", str(me.user_id))

    async def subscribers() -> int:
        [(_, count)] = await inbox.redis.pubsub_numsub(channel)
        return int(count)

    async with replica(inbox) as client:
        async with feed(client, me) as tab, feed(client, me) as other_tab:
            for live in (tab, other_tab):
                assert (await live.event())["event"] == "unread_count"
            assert await subscribers() == 1  # one connection, not one per stream
            await alert(inbox, me, remaining=5)
            for live in (tab, other_tab):
                assert (await live.event())["event"] == "notification"
            async with feed(client, inbox.caller()) as someone_else:
                assert (await someone_else.event())["event"] == "unread_count"
        async with feed(client, me) as tab:  # the others closed: it subscribes again
            assert (await tab.event())["event"] == "unread_count"
            await alert(inbox, me, remaining=4)
            assert (await tab.event())["event"] == "notification"
        for _ in range(100):  # the server notices the closed stream a moment later
            if await subscribers() == 0:
                break
            await asyncio.sleep(0.05)
        assert await subscribers() == 0


async def test_a_malformed_last_event_id_is_a_problem(inbox: Inbox) -> None:
    answer = await inbox.client.get(
        "/api/notifications/stream",
        headers={**inbox.caller().headers, "Last-Event-ID": "yesterday"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_last_event_id_of_someone_else_reveals_nothing(inbox: Inbox) -> None:
    me, other = inbox.caller(), inbox.caller()
    await alert(inbox, other, remaining=1)
    async with replica(inbox) as client, feed(client, me, str(uuid.UUID(int=0))) as live:
        first = await live.event()  # the other user's notification is not replayed
        assert (first["event"], first["data"]) == ("unread_count", '{"count": 0}')
