"""The platform plus an ungated door to one product app, for the benchmark only.

Requests under ``/__ungated`` go straight to the Display advert API version 2 app, with
the prefix stripped and a fixed caller in the scope, as if the gateway had admitted them.
Every other request goes to the platform as usual. Comparing the two measures what the
gateway (and the platform's request id wrapper in front of it) costs.

Run it with ``python -m bench.ungated --port PORT``: uvicorn with the same options as
``apprenticeships serve``.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from apprenticeships.app import Platform
from apprenticeships.app import create_app as create_platform
from apprenticeships.catalog.products import Environment, OwnerKind
from apprenticeships.cli.serve import SERVER_OPTIONS
from apprenticeships.gateway.context import SCOPE_KEY, SubscriptionContext
from apprenticeships.settings import Settings

UNGATED_PREFIX = "/__ungated"
PRODUCT = ("display-advert", 2)
CALLER = SubscriptionContext(
    owner_kind=OwnerKind.DEVELOPER,
    owner_id="bench",
    product_id=PRODUCT[0],
    environment=Environment.LIVE,
    subscription_id=0,
    key_id="bench",
    version=PRODUCT[1],
)


class Ungated:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.product_app: ASGIApp = platform.product_apps[PRODUCT]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(UNGATED_PREFIX + "/"):
            inner = dict(scope)
            inner["path"] = path[len(UNGATED_PREFIX) :]
            inner["raw_path"] = inner["path"].encode()
            inner[SCOPE_KEY] = CALLER
            await self.product_app(inner, receive, send)
        else:
            await self.platform(scope, receive, send)


def create_app() -> Ungated:
    """The uvicorn factory."""
    return Ungated(create_platform(Settings()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        "bench.ungated:create_app", host=args.host, port=args.port, workers=1, **SERVER_OPTIONS
    )


if __name__ == "__main__":
    main()
