"""When mail goes: quiet hours (in the user's time zone, across midnight) and the digest's
periods, as pure functions; and what the e-mail channel plans for each preference."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.preferences.models import RecipientSettings
from sift.notifications.preferences.repository import (
    preference_repository,
    recipient_repository,
)
from sift.notifications.preferences.service import (
    digest_period,
    preference_service,
    quiet_until,
)

BERLIN = ZoneInfo("Europe/Berlin")


def quiet(start: str, end: str, zone: str = "Europe/Berlin") -> RecipientSettings:
    return RecipientSettings(
        quiet_start=time.fromisoformat(start), quiet_end=time.fromisoformat(end), time_zone=zone
    )


def at(local: str, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        ("2026-12-04 21:59", None),
        ("2026-12-04 22:00", "2026-12-05 07:00"),  # spans midnight: ends tomorrow
        ("2026-12-05 03:10", "2026-12-05 07:00"),  # after midnight: ends today
        ("2026-12-05 07:00", None),
        ("2026-12-05 12:00", None),
    ],
)
def test_quiet_hours_across_midnight(now: str, until: str | None) -> None:
    held = quiet_until(quiet("22:00", "07:00"), at(now))
    assert held == (at(until) if until else None)


def test_quiet_hours_within_a_day_and_in_the_users_own_zone() -> None:
    lunch = quiet("12:00", "13:30", "America/New_York")
    new_york = ZoneInfo("America/New_York")
    assert quiet_until(lunch, at("2026-12-04 12:15", new_york)) == at("2026-12-04 13:30", new_york)
    assert quiet_until(lunch, at("2026-12-04 12:15")) is None  # noon in Berlin is not
    assert quiet_until(None, at("2026-12-04 12:15")) is None


def test_quiet_hours_over_a_clock_change_end_at_the_local_time() -> None:
    # Summer time ends in Berlin on 25 October 2026: the night is an hour longer.
    held = quiet_until(quiet("22:00", "07:00"), at("2026-10-24 23:00"))
    assert held == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET


@pytest.mark.parametrize(
    ("frequency", "now", "period"),
    [
        ("daily", "2026-12-04 07:59", "2026-12-03"),  # before eight: yesterday's is the last
        ("daily", "2026-12-04 08:00", "2026-12-04"),
        ("weekly", "2026-12-07 07:59", "2026-W49"),  # Monday before eight: last week's
        ("weekly", "2026-12-07 08:00", "2026-W50"),
        ("weekly", "2026-12-10 18:00", "2026-W50"),
        ("off", "2026-12-07 08:00", None),
    ],
)
def test_digest_periods_turn_at_eight_local_time(
    frequency: str, now: str, period: str | None
) -> None:
    settings = RecipientSettings(digest=frequency, time_zone="Europe/Berlin")
    assert digest_period(settings, at(now)) == period


async def test_what_the_email_channel_plans_for_each_preference(session: AsyncSession) -> None:
    me, now = uuid.uuid4(), datetime.now(UTC)
    plan = preference_service.email_plan

    assert (await plan(session, me, "document_indexed", now=now)).send  # the defaults

    await preference_repository.put(session, me, "document_index_failed", email=False)
    off = await plan(session, me, "document_failed", now=now)
    assert not off.send and off.reason == "The user switched this mail off."

    local = now.astimezone(BERLIN)
    await recipient_repository.put(
        session,
        me,
        quiet_start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        time_zone="Europe/Berlin",
        digest="daily",
    )
    held = await plan(session, me, "document_failed", now=now)
    assert not held.send  # off beats quiet hours
    gathered = await plan(session, me, "document_indexed", now=now)
    assert not gathered.send and gathered.reason == "Gathered into the user's digest."
    digest = await plan(session, me, "digest", now=now)
    assert digest.send and digest.not_before is not None
    assert timedelta(hours=1) < digest.not_before - now <= timedelta(hours=2)

    # Security and link mail ignore quiet hours, and cannot be switched off.
    await preference_repository.put(session, me, "security_alert", email=False)
    for kind in ("security_alert", "password_reset", "email_verification"):
        assert await plan(session, me, kind, now=now) == await plan(session, None, kind, now=now)
        assert (await plan(session, me, kind, now=now)).not_before is None
