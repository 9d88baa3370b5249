"""Zoho's OpenAPI files, kept in the repository for the tests that hold the mirror and the sandbox to them
(fixtures/oas/README.md says what they are)."""
from __future__ import annotations

from pathlib import Path

OAS_DIR = Path(__file__).with_name("fixtures") / "oas"
