"""Google Gemini through the `google-genai` SDK (streamGenerateContent over SSE)."""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from typing import Any

from google import genai
from google.genai import errors, types

from sift.assistant.providers.base import (
    GenerationRequest,
    Provider,
    ProviderError,
    StreamBroken,
    Usage,
    status_is_retryable,
)
from sift.core.http import parse_retry_after


class GeminiProvider(Provider):
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.model = model
        self._api_key = api_key
        self._client: genai.Client | None = None
        if api_key:
            options = types.HttpOptions(
                base_url=base_url,
                timeout=math.ceil(timeout * 1000),
                # The chain retries (with the budget in mind); the SDK must not, nor sleep
                # seconds on its own after a connection error.
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            self._client = genai.Client(api_key=api_key, http_options=options)

    @property
    def configured(self) -> bool:
        return self._client is not None

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        if self._client is None:
            raise ProviderError("not_configured", retryable=False)
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_output_tokens,
            temperature=0.1,
        )
        usage = Usage()
        finished = False
        try:
            chunks = await self._client.aio.models.generate_content_stream(
                model=self.model, contents=request.prompt, config=config
            )
            async for chunk in chunks:
                if chunk.usage_metadata is not None:
                    usage = Usage(
                        chunk.usage_metadata.prompt_token_count or 0,
                        chunk.usage_metadata.candidates_token_count or 0,
                    )
                for candidate in chunk.candidates or []:
                    if candidate.finish_reason is not None:
                        finished = True
                        if candidate.finish_reason not in (
                            types.FinishReason.STOP,
                            types.FinishReason.MAX_TOKENS,
                        ):
                            raise ProviderError(
                                f"finish_{candidate.finish_reason.value.lower()}", retryable=False
                            )
                text = _text(chunk)
                if text:
                    yield text
        except errors.APIError as exc:
            raise _api_error(exc) from exc
        except ProviderError:
            raise
        except Exception as exc:  # aiohttp/httpx transport errors: the connection failed
            raise ProviderError(f"connection_error:{type(exc).__name__}", retryable=True) from exc
        if not finished:
            raise StreamBroken()
        yield usage

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aio.aclose()


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
