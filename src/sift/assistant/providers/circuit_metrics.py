"""Each provider's circuit as a gauge, read from Redis when Prometheus scrapes the assistant.

The state is shared by every replica (`breaker.py`), so any replica reports it whole.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from sift.assistant.providers.breaker import CircuitState


class CircuitGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.open = Gauge(
            "sift_provider_circuit_open",
            "1 while a provider's circuit is open or half-open (calls skip it), else 0",
            ("provider",),
            registry=registry,
        )

    async def refresh(self, app: Any) -> None:
        runtime = getattr(app.state, "assistant", None)
        if runtime is None or runtime.chain.breaker is None:
            return
        for provider in runtime.chain.providers:
            state = await runtime.chain.breaker.state(provider.name)
            self.open.labels(provider.name).set(0 if state is CircuitState.closed else 1)
