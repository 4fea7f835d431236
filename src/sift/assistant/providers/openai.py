"""OpenAI chat completions through the `openai` SDK; with `base_url`, any OpenAI-compatible
server (vLLM, Ollama, llama.cpp's server)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import openai
from openai import AsyncOpenAI

from sift.assistant.providers.base import (
    GenerationRequest,
    Provider,
    ProviderError,
    StreamBroken,
    Usage,
    status_is_retryable,
)
from sift.core.http import parse_retry_after

# Local servers accept any key; the SDK insists on one.
_PLACEHOLDER_KEY = "not-needed"


class OpenAIProvider(Provider):
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.model = model
        self._client: AsyncOpenAI | None = None
        if api_key or base_url:
            self._client = AsyncOpenAI(
                api_key=api_key or _PLACEHOLDER_KEY,
                base_url=base_url,
                timeout=timeout,
                max_retries=0,  # the chain retries, within the answer's budget
            )

    @property
    def configured(self) -> bool:
        return self._client is not None

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        if self._client is None:
            raise ProviderError("not_configured", retryable=False)
        usage = Usage()
        finished = False
        try:
            chunks = await self._client.chat.completions.create(
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
            async for chunk in chunks:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
                    if choice.finish_reason is not None:
                        finished = True
                        if choice.finish_reason not in ("stop", "length"):
                            raise ProviderError(f"finish_{choice.finish_reason}", retryable=False)
        except openai.APIStatusError as exc:
            raise ProviderError(
                f"http_{exc.status_code}",
                retryable=status_is_retryable(exc.status_code),
                status=exc.status_code,
                retry_after=parse_retry_after(exc.response.headers.get("retry-after")),
            ) from exc
        except openai.APITimeoutError as exc:
            raise ProviderError("timeout", retryable=True) from exc
        except openai.APIConnectionError as exc:
            raise ProviderError("connection_error", retryable=True) from exc
        except ProviderError:
            raise
        except Exception as exc:  # a transport error while reading the stream
            raise ProviderError(f"connection_error:{type(exc).__name__}", retryable=True) from exc
        if not finished:
            raise StreamBroken()
        yield usage

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
