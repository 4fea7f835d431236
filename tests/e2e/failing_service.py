"""A service app with a route that fails unexpectedly, run as `sift serve` runs a service.

`python -m tests.e2e.failing_service PORT` serves it on 127.0.0.1:PORT under the search
prefix (so that the gateway routes `/api/search/...` to it).
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import APIRouter, FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings
from sift.runtime.services import uvicorn_options

SERVICE = "search"


def create_app() -> FastAPI:
    router = APIRouter(prefix=f"/api/{SERVICE}", tags=["probe"])

    @router.post("/boom")
    async def boom() -> None:
        raise RuntimeError("an unforeseen failure")

    @router.post("/echo")
    async def echo() -> dict[str, str]:
        return {"status": "ok"}

    return create_service_app(SERVICE, routers=[router], settings=CoreSettings())


if __name__ == "__main__":
    # No lifespan: the routes need neither the database nor Redis.
    uvicorn.run(
        create_app(), host="127.0.0.1", port=int(sys.argv[1]), lifespan="off", **uvicorn_options()
    )
