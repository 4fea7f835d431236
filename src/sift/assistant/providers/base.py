"""The provider interface: a request in, a stream of text pieces and a usage record out."""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sift.assistant.passages import Passage


class Task(StrEnum):
    answer = "answer"
    summarize = "summarize"


@dataclass(frozen=True)
class Turn:
    """An earlier exchange of the conversation."""

    question: str
    answer: str


@dataclass(frozen=True)
class GenerationRequest:
    """What every provider receives: the grounded prompt for models, the structure for `local`."""

    task: Task
    question: str
    passages: Sequence[Passage]
    system: str
    prompt: str
    history: Sequence[Turn] = ()
    max_output_tokens: int = 700
    first_number: int = 1  # the [n] of the first passage (sections of a long document)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


class ProviderError(Exception):
    """A provider call failed. `retryable`: the same provider may succeed if asked again."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


class StreamBroken(ProviderError):
    """The stream ended before the provider said it was complete."""

    def __init__(self, reason: str = "stream_broken") -> None:
        super().__init__(reason, retryable=False)


@dataclass
class Completion:
    """What a provider produced (collected from its stream)."""

    text: str = ""
    usage: Usage = field(default_factory=Usage)


class Provider(abc.ABC):
    """One LLM backend. `stream` yields text pieces, then exactly one `Usage` when complete;
    it raises `ProviderError` (or `StreamBroken` mid-answer) on failure."""

    name: str
    model: str

    @property
    def configured(self) -> bool:
        return True

    @abc.abstractmethod
    def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]: ...

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Releases connections."""


def status_is_retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500
