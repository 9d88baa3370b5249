"""pytest fixtures for the Zoho sandbox.

- `sandbox`: a small sandbox (200 items), rate limit off, no faults; fresh per test (builds in ~0.1 s).
- `sandbox_factory(**config)`: builds and starts custom sandboxes, stopped after the test.
- `zoho_settings`: points Django's Zoho settings at `sandbox` and forgets cached tokens.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.server import SandboxServer

SMALL = {"items": 200, "rate_limit_per_minute": 0, "faults": "none"}


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxServer]]:
    started: list[SandboxServer] = []

    def build(**config: Any) -> SandboxServer:
        server = SandboxServer(SandboxConfig(**{**SMALL, **config})).start()
        started.append(server)
        return server

    yield build
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory()


@pytest.fixture
def zoho_settings(sandbox: SandboxServer, settings: Any) -> Any:
    """Django settings aimed at the sandbox (pytest-django's `settings` restores them afterwards)."""
    from zoho.auth import clear_token_cache

    cfg = sandbox.config
    settings.ZOHO_ACCOUNTS_URL = sandbox.url
    settings.ZOHO_RATE_LIMIT_PER_MINUTE = 0
    settings.ZOHO_CLIENT_ID = cfg.client_id
    settings.ZOHO_CLIENT_SECRET = cfg.client_secret
    settings.ZOHO_REFRESH_TOKEN = cfg.refresh_token
    settings.ZOHO_ORGANIZATION_ID = cfg.organization_id
    clear_token_cache()
    yield settings
    clear_token_cache()
