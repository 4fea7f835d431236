"""Preferences: reading and saving them, and the channels' questions about them.

The channels ask at the point where they create what they deliver (an in-app row, an
e-mail delivery), inside the consumer's transaction: a redelivered event has no second
effect whatever the answer was. Without a saved row a type is on for in-app and e-mail and
off for SMS; locked types (security alerts, link mails) always go, and ignore quiet hours
(by SMS too, to a verified phone: security alerts; link mails are never texted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.consents.repository import product_email_consent_repository
from sift.notifications.preferences import exceptions
from sift.notifications.preferences.models import NotificationPreference, RecipientSettings
from sift.notifications.preferences.repository import (
    digest_item_repository,
    preference_repository,
    recipient_repository,
)
from sift.notifications.preferences.schemas import (
    DigestFrequency,
    PreferencesRead,
    PreferencesUpdate,
    QuietHours,
    TypePreference,
)
from sift.notifications.preferences.types import (
    DIGEST_KIND,
    LOCKED,
    LOW_PRIORITY,
    ORDER,
    SMS_TYPES,
    PreferenceType,
    type_of_mail,
)
from sift.notifications.sms.repository import phone_repository

log = structlog.get_logger()


@dataclass(frozen=True)
class Channels:
    in_app: bool = True
    email: bool = True
    sms: bool = False


DEFAULTS = Channels()


@dataclass(frozen=True)
class EmailPlan:
    """What to do with one mail: send it (at `not_before` when quiet hours hold it), or
    not at all, with the reason the delivery records."""

    send: bool
    not_before: datetime | None = None
    reason: str | None = None


SEND_NOW = EmailPlan(send=True)


def time_zone(name: str, *loc: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # a path, a directory, ...
        raise exceptions.InvalidTimeZone(f"“{name}” is not an IANA time zone.", *loc) from exc


def quiet_until(settings: RecipientSettings | None, now: datetime) -> datetime | None:
    """When the quiet hours `now` falls in end (UTC); None outside them."""
    if settings is None or settings.quiet_start is None or settings.quiet_end is None:
        return None
    zone = ZoneInfo(settings.time_zone or "UTC")
    local = now.astimezone(zone)
    start, end, clock = settings.quiet_start, settings.quiet_end, local.time()
    if start < end:
        inside, end_day = start <= clock < end, local.date()
    else:  # spans midnight: 22:00-07:00 is 22:00-24:00 and 00:00-07:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


DIGEST_HOUR = 8  # local time: with the morning's mail, not in the middle of the night


def digest_period(settings: RecipientSettings, now: datetime) -> str | None:
    """The period whose digest is due at `now` for the user (None: none is due yet)."""
    local = now.astimezone(ZoneInfo(settings.time_zone or "UTC"))
    if settings.digest == "daily":
        day = local.date() if local.hour >= DIGEST_HOUR else local.date() - timedelta(days=1)
        return day.isoformat()
    if settings.digest == "weekly":
        # The week's digest is due from Monday at DIGEST_HOUR.
        monday_due = local.weekday() == 0 and local.hour < DIGEST_HOUR
        year, week, _ = (local - timedelta(days=7 if monday_due else 0)).isocalendar()
        return f"{year}-W{week:02d}"
    return None


@dataclass(frozen=True)
class _Recipient:
    """A user's saved quiet hours, zone and digest, as plain values (before a change)."""

    quiet_start: time | None = None
    quiet_end: time | None = None
    time_zone: str | None = None
    digest: str = DigestFrequency.off.value

    @classmethod
    def of(cls, settings: RecipientSettings | None) -> _Recipient:
        if settings is None:
            return cls()
        return cls(settings.quiet_start, settings.quiet_end, settings.time_zone, settings.digest)

    def with_quiet(self, quiet: QuietHours | None) -> _Recipient:
        if quiet is None:
            return replace(self, quiet_start=None, quiet_end=None)
        return replace(
            self,
            quiet_start=_minute(quiet.start),
            quiet_end=_minute(quiet.end),
            time_zone=quiet.time_zone,
        )


class PreferenceService:
    # --- the API -------------------------------------------------------------------------

    async def read(self, session: AsyncSession, user_id: uuid.UUID) -> PreferencesRead:
        saved = await preference_repository.of_user(session, user_id)
        settings = await recipient_repository.get(session, user_id)
        phone = await phone_repository.verified(session, user_id) is not None
        quiet = None
        if settings is not None and settings.quiet_start is not None:
            assert settings.quiet_end is not None
            quiet = QuietHours(
                start=settings.quiet_start,
                end=settings.quiet_end,
                time_zone=settings.time_zone or "UTC",
            )
        return PreferencesRead(
            types=[self._row(type_, saved.get(type_.value), phone) for type_ in ORDER],
            quiet_hours=quiet,
            digest=DigestFrequency(settings.digest if settings else "off"),
            time_zone=settings.time_zone if settings else None,
        )

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, body: PreferencesUpdate
    ) -> PreferencesRead:
        """Saves all of `body` or nothing: the first invalid part is a 422 naming it."""
        phone = await phone_repository.verified(session, user_id) is not None
        for index, wanted in enumerate(body.types):
            self._check(index, wanted, phone=phone)
        quiet = body.quiet_hours
        if body.time_zone is not None:
            time_zone(body.time_zone, "time_zone")
        if quiet is not None:
            time_zone(quiet.time_zone, "quiet_hours", "time_zone")
            if quiet.start == quiet.end:
                raise exceptions.InvalidQuietHours(
                    "Quiet hours must start and end at different times.", "quiet_hours", "end"
                )
        for wanted in body.types:
            await preference_repository.put(
                session,
                user_id,
                wanted.type,
                in_app=wanted.in_app,
                email=wanted.email,
                sms=wanted.sms,
            )
        saved = await recipient_repository.get(session, user_id)
        given = body.model_fields_set  # what the body leaves out keeps what it had
        before = _Recipient.of(saved)
        after = before
        if "quiet_hours" in given:
            after = after.with_quiet(quiet)
        if "time_zone" in given and quiet is None:
            after = replace(after, time_zone=body.time_zone)
        if "digest" in given:
            after = replace(after, digest=body.digest.value)
        await recipient_repository.put(
            session,
            user_id,
            quiet_start=after.quiet_start,
            quiet_end=after.quiet_end,
            time_zone=after.time_zone,
            digest=after.digest,
        )
        if after.digest != before.digest:
            settings = await recipient_repository.get(session, user_id, fresh=True)
            assert settings is not None
            if after.digest == DigestFrequency.off:
                # Kept for a digest that will not come: the in-app copies stay.
                await digest_item_repository.discard(session, user_id)
            # A digest switched on starts with the next period: the current one was mailed
            # item by item until now.
            await recipient_repository.set_period(
                session, user_id, digest_period(settings, datetime.now(UTC))
            )
        log.info("notifications.preferences_saved", types=len(body.types), digest=body.digest)
        return await self.read(session, user_id)

    @staticmethod
    def _row(
        type_: PreferenceType, saved: NotificationPreference | None, phone: bool
    ) -> TypePreference:
        if type_ in LOCKED or saved is None:
            return TypePreference(
                type=type_.value,
                in_app=DEFAULTS.in_app,
                email=DEFAULTS.email,
                # Security alerts go by SMS to a verified phone; link mails never do.
                sms=phone and type_ in LOCKED and type_ in SMS_TYPES,
                locked=type_ in LOCKED,
                sms_available=type_ in SMS_TYPES,
            )
        return TypePreference(
            type=type_.value,
            in_app=saved.in_app,
            email=saved.email,
            sms=saved.sms and phone,
            sms_available=type_ in SMS_TYPES,
        )

    @staticmethod
    def _check(index: int, wanted: TypePreference, *, phone: bool) -> None:
        try:
            type_ = PreferenceType(wanted.type)
        except ValueError:
            raise exceptions.UnknownNotificationType(
                f"“{wanted.type}” is not a notification type.", "types", index, "type"
            ) from None
        if type_ in LOCKED and not (wanted.in_app and wanted.email):
            raise exceptions.LockedNotificationType(
                f"“{type_.value}” notifications cannot be switched off.", "types", index, "type"
            )
        if wanted.sms and not phone:
            raise exceptions.PhoneNotVerified(
                "Verify a phone number first: SMS notifications need one.", "types", index, "sms"
            )
        if wanted.sms and type_ not in SMS_TYPES:
            raise exceptions.NotSentBySms(
                f"“{type_.value}” notifications are not sent by SMS.", "types", index, "sms"
            )

    # --- the channels ----------------------------------------------------------------------

    async def channels(self, session: AsyncSession, user_id: uuid.UUID, type_: str) -> Channels:
        """The channels that carry `type_` to the user (a locked type: all of them)."""
        known = _known(type_)
        if known is None or known in LOCKED:
            return DEFAULTS
        saved = await preference_repository.get(session, user_id, known.value)
        if saved is None:
            return DEFAULTS
        return Channels(in_app=saved.in_app, email=saved.email, sms=saved.sms)

    async def gathers_in_digest(
        self, session: AsyncSession, user_id: uuid.UUID, type_: str
    ) -> bool:
        """Whether the user's next digest carries this type (instead of a mail of its own)."""
        known = _known(type_)
        if known not in LOW_PRIORITY:
            return False
        settings = await recipient_repository.get(session, user_id)
        if settings is None or settings.digest == DigestFrequency.off:
            return False
        return (await self.channels(session, user_id, type_)).email

    async def email_plan(
        self, session: AsyncSession, user_id: uuid.UUID | None, kind: str, *, now: datetime
    ) -> EmailPlan:
        """Whether and when the mail of `kind` to the user goes (no user: an invitee)."""
        type_ = type_of_mail(kind)
        if user_id is None or type_ in LOCKED:
            return SEND_NOW
        if self.unsubscribable(kind) and not await self.product_email_allowed(session, user_id):
            return EmailPlan(send=False, reason="The user withdrew consent to product e-mail.")
        if type_ is not None:
            if not (await self.channels(session, user_id, type_.value)).email:
                return EmailPlan(send=False, reason="The user switched this mail off.")
            if await self.gathers_in_digest(session, user_id, type_.value):
                return EmailPlan(send=False, reason="Gathered into the user's digest.")
        held = quiet_until(await recipient_repository.get(session, user_id), now)
        return EmailPlan(send=True, not_before=held) if held else SEND_NOW

    async def sms_plan(
        self, session: AsyncSession, user_id: uuid.UUID, kind: str, *, now: datetime
    ) -> EmailPlan | None:
        """Whether and when a text of `kind` goes to the user's verified phone (asked once
        the phone is known to be verified); None: no text at all."""
        type_ = type_of_mail(kind)
        if type_ not in SMS_TYPES:
            return None
        if type_ not in LOCKED:
            if not (await self.channels(session, user_id, type_.value)).sms:
                return None
            held = quiet_until(await recipient_repository.get(session, user_id), now)
            if held:
                return EmailPlan(send=True, not_before=held)
        return SEND_NOW

    async def sms_wanted(self, session: AsyncSession, user_id: uuid.UUID, kind: str) -> bool:
        """Whether texts of `kind` are still on (asked again when one is sent)."""
        type_ = type_of_mail(kind)
        if type_ not in SMS_TYPES:
            return False
        return type_ in LOCKED or (await self.channels(session, user_id, type_.value)).sms

    async def email_wanted(self, session: AsyncSession, user_id: uuid.UUID, kind: str) -> bool:
        """Whether mail of `kind` is still on (asked again when a held mail is sent)."""
        type_ = type_of_mail(kind)
        if self.unsubscribable(kind) and not await self.product_email_allowed(session, user_id):
            return False
        if type_ is None:
            return kind != DIGEST_KIND or not await self.is_unsubscribed(session, user_id, kind)
        return (await self.channels(session, user_id, type_.value)).email

    async def product_email_allowed(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        """Product e-mail (what an unsubscribe link can switch off: every mail but security
        alerts and the links a person asked for; digests included) goes unless the person
        withdrew consent to it (`consent.changed`)."""
        return await product_email_consent_repository.granted(session, user_id) is not False

    # --- one-click unsubscribe: e-mail off in the same rows --------------------------------

    def unsubscribable(self, kind: str) -> bool:
        type_ = type_of_mail(kind)
        return kind == DIGEST_KIND or (type_ is not None and type_ not in LOCKED)

    async def is_unsubscribed(self, session: AsyncSession, user_id: uuid.UUID, kind: str) -> bool:
        for type_ in _types_of(kind):
            if (await self.channels(session, user_id, type_.value)).email:
                return False
        return True

    async def unsubscribe(self, session: AsyncSession, user_id: uuid.UUID, kind: str) -> None:
        """E-mail off for the kind's type (the digest: for every type it carries)."""
        for type_ in _types_of(kind):
            await preference_repository.put(session, user_id, type_.value, email=False)

    async def erase(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        erased = await preference_repository.delete_all_of(session, user_id)
        return erased + await recipient_repository.delete(session, user_id)


def _known(type_: str) -> PreferenceType | None:
    try:
        return PreferenceType(type_)
    except ValueError:
        return None


def _types_of(kind: str) -> list[PreferenceType]:
    if kind == DIGEST_KIND:
        return sorted(LOW_PRIORITY)
    type_ = type_of_mail(kind)
    return [type_] if type_ is not None else []


def _minute(moment: time) -> time:
    return moment.replace(second=0, microsecond=0, tzinfo=None)


preference_service = PreferenceService()
