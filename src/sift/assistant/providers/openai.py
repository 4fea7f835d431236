"""OpenAI chat completions through the `openai` SDK; with `base_url`, any OpenAI-compatible
server (vLLM, Ollama, llama.cpp's server)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionChunk

from sift.assistant.providers.base import (
    GenerationRequest,
    ProviderError,
    Usage,
    status_is_retryable,
)
from sift.assistant.providers.sdk import FINISHED, Finished, SdkProvider
from sift.core.http import parse_retry_after

# Local servers accept any key; the SDK insists on one.
_PLACEHOLDER_KEY = "not-needed"


class OpenAIProvider(SdkProvider[AsyncOpenAI, ChatCompletionChunk]):
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        client = None
        if api_key or base_url:
            client = AsyncOpenAI(
                api_key=api_key or _PLACEHOLDER_KEY,
                base_url=base_url,
                timeout=timeout,
                max_retries=0,  # the chain retries, within the answer's budget
            )
        super().__init__(model=model, client=client)

    async def _open(
        self, client: AsyncOpenAI, request: GenerationRequest
    ) -> AsyncIterator[ChatCompletionChunk]:
        return await client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.prompt},
            ],
            max_tokens=request.max_output_tokens,
            temperature=0.1,
            stream=True,
            stream_options={"include_usage": True},
        )

    def _read(self, chunk: ChatCompletionChunk) -> Iterator[str | Usage | Finished]:
        if chunk.usage is not None:
            yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        for choice in chunk.choices:
            if choice.delta.content:
                yield choice.delta.content
            if choice.finish_reason is not None:
                yield FINISHED
                if choice.finish_reason not in ("stop", "length"):
                    raise ProviderError(f"finish_{choice.finish_reason}", retryable=False)

    def _error(self, exc: Exception) -> ProviderError:
        if isinstance(exc, openai.APIStatusError):
            return ProviderError(
                f"http_{exc.status_code}",
                retryable=status_is_retryable(exc.status_code),
                status=exc.status_code,
                retry_after=parse_retry_after(exc.response.headers.get("retry-after")),
            )
        if isinstance(exc, openai.APITimeoutError):
            return ProviderError("timeout", retryable=True)
        if isinstance(exc, openai.APIConnectionError):
            return ProviderError("connection_error", retryable=True)
        return super()._error(exc)  # a transport error while reading the stream

    async def _close(self, client: AsyncOpenAI) -> None:
        await client.close()
