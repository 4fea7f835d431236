"""Google Gemini through the `google-genai` SDK (streamGenerateContent over SSE)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

from google import genai
from google.genai import errors, types

from sift.assistant.providers.base import (
    GenerationRequest,
    ProviderError,
    Usage,
    status_is_retryable,
)
from sift.assistant.providers.sdk import FINISHED, Finished, SdkProvider
from sift.core.http import parse_retry_after

_COMPLETE = (types.FinishReason.STOP, types.FinishReason.MAX_TOKENS)


class GeminiProvider(SdkProvider[genai.Client, types.GenerateContentResponse]):
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        client = None
        if api_key:
            options = types.HttpOptions(
                base_url=base_url,
                timeout=math.ceil(timeout * 1000),
                # The chain retries (with the budget in mind); the SDK must not, nor sleep
                # seconds on its own after a connection error.
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            client = genai.Client(api_key=api_key, http_options=options)
        super().__init__(model=model, client=client)

    async def _open(
        self, client: genai.Client, request: GenerationRequest
    ) -> AsyncIterator[types.GenerateContentResponse]:
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_output_tokens,
            temperature=0.1,
        )
        return await client.aio.models.generate_content_stream(
            model=self.model, contents=request.prompt, config=config
        )

    def _read(self, chunk: types.GenerateContentResponse) -> Iterator[str | Usage | Finished]:
        if chunk.usage_metadata is not None:
            yield Usage(
                chunk.usage_metadata.prompt_token_count or 0,
                chunk.usage_metadata.candidates_token_count or 0,
            )
        for candidate in chunk.candidates or []:
            if candidate.finish_reason is not None:
                yield FINISHED
                if candidate.finish_reason not in _COMPLETE:
                    raise ProviderError(
                        f"finish_{candidate.finish_reason.value.lower()}", retryable=False
                    )
        yield _text(chunk)

    def _error(self, exc: Exception) -> ProviderError:
        if isinstance(exc, errors.APIError):
            return _api_error(exc)
        return super()._error(exc)  # aiohttp/httpx transport errors: the connection failed

    async def _close(self, client: genai.Client) -> None:
        await client.aio.aclose()


def _text(chunk: types.GenerateContentResponse) -> str:
    pieces: list[str] = []
    for candidate in chunk.candidates or []:
        if candidate.content is None:
            continue
        for part in candidate.content.parts or []:
            if part.text and not part.thought:
                pieces.append(part.text)
    return "".join(pieces)


def _api_error(exc: errors.APIError) -> ProviderError:
    headers: Any = getattr(exc.response, "headers", None) or {}
    retry_after = parse_retry_after(headers.get("Retry-After") if headers else None)
    return ProviderError(
        f"http_{exc.code}",
        retryable=status_is_retryable(exc.code),
        status=exc.code,
        retry_after=retry_after,
    )
