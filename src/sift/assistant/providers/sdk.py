"""The shape every provider behind a vendor SDK shares: a client only when configured, a
stream read chunk by chunk that must end with a finish reason, and SDK errors turned into
`ProviderError`s. A provider says only how to open its stream, read a chunk, and name its
errors."""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Generic, TypeVar

from sift.assistant.providers.base import (
    GenerationRequest,
    Provider,
    ProviderError,
    StreamBroken,
    Usage,
)

Client = TypeVar("Client")
Chunk = TypeVar("Chunk")


class Finished:
    """Read from a chunk: the model said it is done (an unacceptable reason raises instead)."""


FINISHED = Finished()


class SdkProvider(Provider, Generic[Client, Chunk]):
    def __init__(self, *, model: str, client: Client | None) -> None:
        self.model = model
        self._client = client

    @property
    def configured(self) -> bool:
        return self._client is not None

    @abc.abstractmethod
    async def _open(self, client: Client, request: GenerationRequest) -> AsyncIterator[Chunk]:
        """The SDK's stream of chunks for `request`."""

    @abc.abstractmethod
    def _read(self, chunk: Chunk) -> Iterator[str | Usage | Finished]:
        """What a chunk holds, in the order the provider gives it: text, the usage so far,
        `FINISHED`; a finish reason that is no complete answer raises `ProviderError`."""

    def _error(self, exc: Exception) -> ProviderError:
        """The `ProviderError` of an SDK error; here what is left: a transport error."""
        return ProviderError(f"connection_error:{type(exc).__name__}", retryable=True)

    @abc.abstractmethod
    async def _close(self, client: Client) -> None: ...

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        if self._client is None:
            raise ProviderError("not_configured", retryable=False)
        usage = Usage()
        finished = False
        try:
            async for chunk in await self._open(self._client, request):
                for piece in self._read(chunk):
                    if isinstance(piece, Usage):
                        usage = piece
                    elif isinstance(piece, Finished):
                        finished = True
                    elif piece:
                        yield piece
        except ProviderError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc
        if not finished:
            raise StreamBroken()
        yield usage

    async def aclose(self) -> None:
        if self._client is not None:
            await self._close(self._client)
