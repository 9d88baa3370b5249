"""The commands' one progress display: tqdm on a terminal, plain lines otherwise."""
from __future__ import annotations

import io

from tqdm import tqdm

from sync.management.output.progress import ProgressBar
from sync.management.output.sync_progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_known_total_prints_a_line_every_ten_percent_and_one_at_the_end() -> None:
    out = io.StringIO()
    bar = ProgressBar("images", total=100, unit="img", stream=out)
    for done in range(1, 101):
        bar.set(done)
    bar.set(100)
    lines = out.getvalue().splitlines()
    assert lines[0] == "images: 1/100 img" and lines[-1] == "images: 100/100 img"
    assert len(lines) == 11 and "\r" not in out.getvalue()


def test_off_a_terminal_an_unknown_total_prints_a_line_every_few_seconds() -> None:
    now = [0.0]
    out = io.StringIO()
    bar = ProgressBar("items", stream=out, every_seconds=5, clock=lambda: now[0])
    for _ in range(20):
        now[0] += 1
        bar.update(100)
    assert out.getvalue().splitlines() == ["items: 500 records …", "items: 1,000 records …",
                                           "items: 1,500 records …", "items: 2,000 records …"]


def test_on_a_terminal_it_is_a_tqdm_bar() -> None:
    out = Tty()
    bar = ProgressBar("images", total=10, unit="img", stream=out)
    bar.set(4)
    assert isinstance(bar._bar, tqdm) and bar._bar.n == 4
    bar.set(10)
    bar.close()
    assert "\rimages:" in out.getvalue() and "/10 [" in out.getvalue() and bar._bar is None


def test_a_pull_reports_each_entity_result_once_through_the_log_not_the_progress() -> None:
    out = io.StringIO()
    progress = Progress(out)
    progress("items", 5)

    class Result:
        entity = "items"

    progress.done(Result())
    assert out.getvalue() == "" and progress.bars == {}
