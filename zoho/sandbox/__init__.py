"""A faithful local Zoho Books v3 / Inventory v1 over seeded data.

    from zoho.sandbox import SandboxConfig, SandboxServer
    with SandboxServer(SandboxConfig(items=300)) as sb:
        sb.url, sb.store, sb.calls
"""
from __future__ import annotations

from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer"]
