"""The event envelope, versioned payload models and the registry keyed by (type, version)."""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from sift.contracts.ids import new_id

EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


class UnknownEventType(LookupError):
    """No payload model is registered for this (type, version)."""


class EventPayload(BaseModel):
    """The data of one event type at one version; register subclasses with `@event(...)`.

    Readers are tolerant (unknown fields are ignored) so that a producer may add an optional
    field without breaking consumers still running the previous release. Anything else, such
    as a renamed or removed field, is a new version; the old class stays and `upcast`s.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str] = ""
    event_version: ClassVar[int] = 0

    def upcast(self) -> EventPayload | None:
        """This event as the next version's payload; None for the latest version."""
        return None


PayloadT = TypeVar("PayloadT", bound=EventPayload)
PayloadClassT = TypeVar("PayloadClassT", bound=type[EventPayload])


class EventRegistry:
    """Which payload model reads which (type, version)."""

    def __init__(self) -> None:
        self._models: dict[tuple[str, int], type[EventPayload]] = {}

    def register(
        self, event_type: str, version: int = 1
    ) -> Callable[[PayloadClassT], PayloadClassT]:
        if not _valid_type(event_type):
            raise ValueError(f"invalid event type {event_type!r}: use 'domain.past_tense_verb'")
        if version < 1:
            raise ValueError("event versions start at 1")

        def decorate(model: PayloadClassT) -> PayloadClassT:
            key = (event_type, version)
            if key in self._models:
                raise ValueError(f"{event_type} v{version} is already registered")
            if "event_type" in model.__dict__:
                raise ValueError(f"{model.__name__} is already registered as {model.event_type}")
            model.event_type = event_type
            model.event_version = version
            self._models[key] = model
            return model

        return decorate

    def get(self, event_type: str, version: int) -> type[EventPayload]:
        try:
            return self._models[(event_type, version)]
        except KeyError:
            raise UnknownEventType(f"{event_type} v{version}") from None

    def knows(self, event_type: str) -> bool:
        return any(known == event_type for known, _ in self._models)

    def versions(self, event_type: str) -> list[int]:
        return sorted(version for known, version in self._models if known == event_type)

    def latest_version(self, event_type: str) -> int:
        versions = self.versions(event_type)
        if not versions:
            raise UnknownEventType(event_type)
        return versions[-1]

    def event_types(self) -> list[str]:
        return sorted({event_type for event_type, _ in self._models})

    def parse(self, event_type: str, version: int, data: Mapping[str, Any]) -> EventPayload:
        """The payload exactly as written, at its own version."""
        return self.get(event_type, version).model_validate(data)

    def parse_latest(self, event_type: str, version: int, data: Mapping[str, Any]) -> EventPayload:
        """The payload upcast, one version at a time, to the newest registered version."""
        payload = self.parse(event_type, version, data)
        latest = self.latest_version(event_type)
        while payload.event_version < latest:
            newer = payload.upcast()
            if newer is None or newer.event_version <= payload.event_version:
                raise UnknownEventType(
                    f"{event_type} v{payload.event_version} has no upcast to v{latest}"
                )
            payload = newer
        return payload


def _valid_type(event_type: str) -> bool:
    return len(event_type) <= 100 and re.fullmatch(EVENT_TYPE_PATTERN, event_type) is not None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EventContext(BaseModel):
    """Where the action came from, when it came through an HTTP request (the audit log's
    IP and user agent). Absent for what a worker or the scheduler does on its own."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    request_id: str | None = Field(default=None, max_length=128)


class EventEnvelope(BaseModel):
    """What travels on the bus: routing metadata plus the payload's JSON `data`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID = Field(default_factory=new_id)
    type: str = Field(pattern=EVENT_TYPE_PATTERN, max_length=100)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=_utc_now)
    producer: str = Field(min_length=1, max_length=100)
    org_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # Added later: optional, so envelopes written before it stay readable.
    context: EventContext | None = None
    # W3C trace context of the span that wrote the event (consumers continue its trace).
    traceparent: str | None = Field(default=None, max_length=128)

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(
        cls,
        payload: EventPayload,
        *,
        producer: str,
        org_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        subject_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
        context: EventContext | None = None,
        traceparent: str | None = None,
    ) -> EventEnvelope:
        if not payload.event_type:
            raise TypeError(f"{builtins.type(payload).__name__} is not a registered event payload")
        return cls(
            type=payload.event_type,
            version=payload.event_version,
            occurred_at=occurred_at or _utc_now(),
            producer=producer,
            org_id=org_id,
            actor_id=actor_id,
            subject_id=subject_id,
            data=payload.model_dump(mode="json"),
            context=context,
            traceparent=traceparent,
        )

    def payload(self, registry: EventRegistry | None = None) -> EventPayload:
        """The payload as the newest registered version of its type (older ones upcast)."""
        return (registry or event_registry).parse_latest(self.type, self.version, self.data)

    def payload_as(
        self, model: builtins.type[PayloadT], registry: EventRegistry | None = None
    ) -> PayloadT:
        """`payload()`, checked to be `model`: what a handler of one event type calls."""
        payload = self.payload(registry)
        if not isinstance(payload, model):
            raise TypeError(f"{self.type} v{self.version} reads as {payload!r}, not {model}")
        return payload


event_registry = EventRegistry()
"""The platform's registry: every module under `sift.contracts.events` registers here."""

event = event_registry.register
