"""House rules held by a test: the repository's text stands on its own.

Code, comments and documentation may not point a reader at documents that are not in the
repository (product briefs, design notes, seed material, reference notes kept elsewhere) nor at
work notes such as issue numbers: a newcomer cannot open them, and they go stale unseen. The
sentence has to say the fact itself.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What is read: every tracked text file of the project's own code, tests, templates and docs.
SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".ini", ".cfg", ".yml", ".yaml", ".sh", ".conf", ".service", ".js",
            ".css"}
SKIP_PARTS = {"migrations", "vendor"}  # generated migrations and third-party static files
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Each pattern names a kind of outside reference; the name is what a failure prints.
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "the product spec": re.compile(r"\bSPEC\b|\bSPEC\.md\b"),
    "a section of an outside document": re.compile(r"§"),
    "the design notes": re.compile(r"\bDESIGN\b|\bhabit \d+\b"),
    "the seed material": re.compile(
        r"\bseeds/|\bseeds\b|\bseed's\b|\bseed baseline\b|_the_seeds?(?:_|\b)|\bseed \[\d+\]|\[0\d\d\]"),
    "a reference note": re.compile(r"\b(?:calibration|zoho-api|odoo-api|peers)\.md\b|\breference §"),
    "the shared documents folder": re.compile(r"\.\./" + "shared/"),  # split so this line is no such reference
    "an issue or pull request number": re.compile(
        r"(?i)\b(?:issue|pull request|PR|ticket)s?\s*#?\d+\b|\((?:#\d+)\)|\b(?:see|fixes|closes|refs?|in) #\d+\b"),
}


def _tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    files = []
    for name in out.split("\0"):
        if not name or name == SELF:
            continue
        path = Path(name)
        if path.suffix in SUFFIXES and not SKIP_PARTS.intersection(path.parts):
            files.append(ROOT / path)
    return files


def _findings(text: str, where: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for what, pattern in FORBIDDEN.items():
            match = pattern.search(line)
            if match:
                found.append(f"{where}:{number}: {what} ({match.group(0)!r}): {line.strip()[:120]}")
    return found


def test_no_references_to_documents_outside_the_repository() -> None:
    files = _tracked_files()
    assert len(files) > 100, "git ls-files found too few files: is this a checkout?"
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary, or deleted in the work tree and not yet committed
        found += _findings(text, path.relative_to(ROOT).as_posix())
    assert not found, "references the reader cannot follow:\n" + "\n".join(found)


@pytest.mark.parametrize("line", [
    "see " + "SPEC §10 for the figures",  # split so this line is no such reference
    "sha256 (see calibration.md)",
    "as zoho-api.md §1.2 says",
    "Zoho renders them as \"\" (reference §5)",
    "the seeds' field names",
    "| seed baseline [001] |",
    "Baseline [000]: 50 images",
    "def test_bff_runs_is_the_seed_shape():",
    "fixed in issue 18",
    "a follow-up (#18)",
    "see #18 for why",
    "DESIGN.md has the diagram",
    "part of the product (DESIGN habit 9)",
    "facts in ../" + "shared/reference/zoho-oas",
])
def test_each_kind_of_outside_reference_is_caught(line: str) -> None:
    assert _findings(line, "x")


@pytest.mark.parametrize("line", [
    "_SPECS = (",
    "SPECTACULAR_SETTINGS = {",
    "The n-th API call's fate depends only on the seed and n.",
    "zoho_sandbox --seed 1",
    "'Baseus cable #42'",
    "html.escape(x).replace('&#x27;', '&#39;')",
    "the data is seeded",
])
def test_ordinary_text_is_not_caught(line: str) -> None:
    assert not _findings(line, "x")
