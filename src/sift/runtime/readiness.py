"""When `sift up` is up: every process answers, or, if not, which one and why not."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from sift.runtime.supervisor import Supervisor

CRASH_LOOP = 3  # exits while starting after which waiting longer is pointless


@dataclass(frozen=True)
class Check:
    name: str  # the process it proves ready ("identity", "gateway → identity")
    url: str
    process: str  # whose log tells why it is not


@dataclass(frozen=True)
class Outcome:
    ready: bool
    waiting: tuple[Check, ...] = ()  # not answering when time ran out
    crashed: str | None = None  # the process that kept exiting
    exit_codes: tuple[int, ...] = ()


async def wait_ready(
    supervisor: Supervisor,
    direct: Sequence[Check],
    through_gateway: Sequence[Check],
    *,
    within: float,
) -> Outcome:
    """Each direct check answers 200, then each gateway check; a crash loop stops the wait."""
    waiting = {check.url: check for check in [*direct, *through_gateway]}

    async def checks() -> None:
        # Reachability only: the gateway's certificate may be self-signed or name another host.
        async with httpx.AsyncClient(verify=False, timeout=2.0) as client:  # noqa: S501 # nosec
            await asyncio.gather(*(_until_ok(client, check, waiting) for check in direct))
            await asyncio.gather(*(_until_ok(client, check, waiting) for check in through_gateway))

    async def crash_loop() -> str:
        while True:
            for name, child in supervisor.children.items():
                if len(child.exit_codes) >= CRASH_LOOP or (
                    child.exit_codes and not child.spec.restart
                ):
                    return name
            await asyncio.sleep(0.2)

    ready = asyncio.create_task(checks())
    crashed = asyncio.create_task(crash_loop())
    try:
        done, _ = await asyncio.wait(
            {ready, crashed}, timeout=within, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        for task in (ready, crashed):
            task.cancel()
    if crashed in done:
        name = crashed.result()
        codes = tuple(supervisor.children[name].exit_codes)
        return Outcome(False, tuple(waiting.values()), crashed=name, exit_codes=codes)
    if ready in done and ready.exception() is None:
        return Outcome(True)
    return Outcome(False, tuple(waiting.values()))


async def _until_ok(client: httpx.AsyncClient, check: Check, waiting: dict[str, Check]) -> None:
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(check.url)).status_code == 200:
                waiting.pop(check.url, None)
                return
        await asyncio.sleep(0.25)
