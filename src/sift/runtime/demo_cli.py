"""`sift demo`: the command line of `sift.runtime.demo` (the samples over the HTTP API)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import ssl
import sys
from pathlib import Path
from typing import Any

import httpx

from sift.runtime.demo import (
    Credentials,
    DemoError,
    DemoLoader,
    DemoResult,
    Manifest,
    default_samples_dir,
    summary,
)


def tls_verify(url: str, data_dir: Path, *, insecure: bool) -> ssl.SSLContext | bool:
    """Trust the stack's own self-signed certificate for a local URL; else the system's CAs."""
    if insecure:
        return False
    from sift.runtime.gateway.settings import GatewayPaths

    cert = GatewayPaths.under(data_dir).tls_dir / "cert.pem"
    if httpx.URL(url).host in ("localhost", "127.0.0.1", "::1") and cert.is_file():
        context = ssl.create_default_context(cafile=str(cert))
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # a leaf as its own anchor
        return context
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    from sift.runtime.cli import load_settings
    from sift.runtime.gateway.settings import GatewaySettings, public_url

    settings = load_settings(process="demo")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request buries the progress
    url = (args.url or public_url(settings, GatewaySettings())).rstrip("/")
    try:
        manifest = Manifest.load(args.samples or default_samples_dir())
        password = args.password
        if args.token is None and password is None and args.email:
            if not sys.stdin.isatty():
                raise DemoError("no terminal to ask the password on: pass --password")
            password = getpass.getpass(f"Password for {args.email}: ")
        credentials = Credentials(
            email=args.email,
            password=password,
            token=args.token,
            mfa_code=args.mfa_code,
            sign_up_name=args.name if args.sign_up else None,
        )
        verify = tls_verify(url, settings.data_dir, insecure=args.insecure)

        async def main() -> DemoResult:
            async with httpx.AsyncClient(base_url=url, verify=verify, timeout=60) as client:
                loader = DemoLoader(client, manifest, credentials)
                return await loader.run(wait_seconds=args.timeout if args.wait else None)

        print(f"loading {len(manifest.documents)} sample documents into {url}")
        result = asyncio.run(main())
    except DemoError as exc:
        print(f"sift demo: {exc}", file=sys.stderr)
        return 1
    except httpx.TransportError as exc:
        print(f"sift demo: cannot reach {url} ({exc}); is `sift up` running?", file=sys.stderr)
        return 1
    print("\n".join(summary(manifest, result, url)))
    return 1 if result.failed else 0


def add_demo_parser(commands: Any) -> None:
    """`commands`: the `sift` parser's subparsers (argparse keeps their type private)."""
    demo = commands.add_parser(
        "demo", help="load the sample documents into a running Sift (over its HTTP API)"
    )
    demo.add_argument("--url", help="Sift's address (default: this machine's `sift up`)")
    demo.add_argument("--email", help="sign in as this account (the password is asked)")
    demo.add_argument("--password", help="instead of being asked (visible to `ps`)")
    demo.add_argument("--mfa-code", help="the current code, when two-step sign-in is on")
    demo.add_argument(
        "--sign-up", action="store_true", help="create the account first when it does not exist"
    )
    demo.add_argument("--name", default="Sample Explorer", help="the new account's name")
    demo.add_argument("--token", help="an access token or an API key (sift_...) instead")
    demo.add_argument(
        "--no-wait", dest="wait", action="store_false", help="do not wait for indexing"
    )
    demo.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS")
    demo.add_argument("--insecure", action="store_true", help="skip TLS certificate checks")
    demo.add_argument("--samples", type=Path, help="another samples directory (a manifest.json)")
    demo.set_defaults(handler=cmd_demo)
