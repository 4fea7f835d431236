"""The local extractive provider: no network, no key, always available (the last resort)."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator

from sift.assistant.grounding import extractive
from sift.assistant.providers.base import GenerationRequest, Provider, Task, Usage

_PIECE = re.compile(r"\S+\s*")


class LocalProvider(Provider):
    name = "local"
    model = "extractive-mmr-v1"

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        if request.task is Task.summarize:
            text = extractive.summary(request.passages, first_number=request.first_number)
        else:
            text = extractive.answer(request.question, request.passages)
        for piece in _PIECE.findall(text):
            yield piece
        yield Usage()  # no model, no tokens billed
