"""B9: the deployed topology (bench/stack.py) under a stream of Zoho changes, with faults on a timeline.

    .venv/bin/python bench/soak.py --minutes 2 --rate 5 --faults worker,web,redis,postgres,zoho --zoho-burst 10
                                                                                    # the short soak (CI)
    .venv/bin/python bench/soak.py --minutes 10 --rate 20 --faults worker,web,redis,postgres,zoho
    .venv/bin/python bench/soak.py --step 10,10,60 --step-minutes 5                  # find the knee

After a first full pull of the items, the sandbox edits one item at a time at --rate changes/s (a
different item each time, cycling) and delivers each change as a signed webhook through nginx. A
delivery that fails (no answer, or not 2xx) is sent again after 2, 4, 8, 16 and 32 s, then counted
as undelivered. Each change carries a unique name, so its audit entry in the mirror identifies it:

- freshness: the time of the edit in Zoho to the audit entry of its row in the mirror; p50, p99 and
  max, for changes made outside and inside the fault windows;
- lost: changes never applied (after a drain of up to 90 s once the stream stops); twice: changes
  with more than one audit entry; then `tds_compare --deep` of the items, which must match 100 %;
- errors: nginx's 5xx and 429 answers (its access log), undelivered changes, dead letters;
- resources: memory of every service (proportional set size of its processes) once warm (WARM_UP, or
  half of a shorter run) and at the end, PostgreSQL's shared buffers apart, the deepest queue, Zoho calls;
- faults: kill -9 of a worker cluster (restarted after its unit's RestartSec), kill -9 of a gunicorn
  instance (nginx routes around it), a Redis restart, a PostgreSQL restart (15 s down), a 30 s burst
  of 429 and 5xx from Zoho's API (--zoho-burst); for each, the time until the freshness p99 of the
  next ten seconds of changes is back within the goal. A fault's window runs from GOAL_SECONDS before
  it (a change made just before it was still on its way, and could not arrive in time) to its end
  and recovery; an answer other than 2xx outside every window (FAULT_SETTLE after the end) is an
  error of its own.

Goal: freshness p99 <= 2 s outside the fault windows, 0 lost, 0 applied twice, no failed delivery
outside a fault window and every failed one delivered on a retry, each fault recovered within 30 s,
memory growth <= 10 % per service. Step mode runs one stage per rate without faults and
reports the knee: the highest rate whose p99 stays within 2 s.
"""
from __future__ import annotations

import argparse
import json
import queue
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.result import emit  # noqa: E402
from bench.stack import PG_SHARED, SECRET, Stack  # noqa: E402

GOAL_SECONDS = 2.0
WARM_AT = "warm sample at"  # the key under which stage() notes when it took the warm sample
RECOVERY_GOAL = 30.0
RETRIES = (2, 4, 8, 16, 32)
POSTGRES_DOWN = 15.0
ZOHO_BURST = 30.0
# How long after a fault's end its clients may still see failures: nginx takes a killed gunicorn back
# after its fail_timeout (5 s), and a connection pool notices a restarted server on its next use.
FAULT_SETTLE = 10.0
FAULTS = ("worker", "web", "redis", "postgres", "zoho")
# Memory is judged from this far into the run (half of a shorter run) to its end. Each task imports its
# service on its first run, and every cluster (the scheduler is one) runs each schedule of 5 minutes or
# less within the first five: until then growth is code arriving, not memory kept.
WARM_UP = 300.0
# The services each fault restarts: one restarted after the warm sample is not judged on growth (its start
# figure belongs to the process before the restart).
RESTARTS = {"worker": ("worker-1",), "web": ("web-1",), "redis": ("redis",), "postgres": ("postgresql", PG_SHARED)}


@dataclass
class Change:
    seq: int
    item_id: str
    name: str
    edited_at: float
    delivered: bool = False
    attempts: int = 0
    post_seconds: float = 0.0
    applied_at: list[float] = field(default_factory=list)
    delivery: tuple[bytes, dict[str, str], dict[str, str]] = (b"", {}, {})

    @property
    def freshness(self) -> float | None:
        return min(self.applied_at) - self.edited_at if self.applied_at else None


@dataclass
class Fault:
    kind: str
    at: float
    until: float = 0.0
    recovered_after: float | None = None


class Sender:
    """Edits items in the sandbox at a steady rate and delivers each change through nginx, retrying."""

    def __init__(self, up: Stack, item_ids: list[str], threads: int = 8) -> None:
        import requests

        assert up.layout is not None
        self.up, self.item_ids, self.url = up, item_ids, up.webhook_url
        self.verify = str(up.layout.cert)
        self.changes: list[Change] = []
        self.by_name: dict[str, Change] = {}
        self.statuses: Counter[int] = Counter()
        self.failures: list[tuple[float, int]] = []  # (when, status) of every attempt that was not 2xx
        self.lock = threading.Lock()
        self.jobs: queue.Queue[Change | None] = queue.Queue()
        self.sessions = threading.local()
        self._requests = requests
        self.threads = [threading.Thread(target=self._deliver_loop, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def run(self, rate: float, seconds: float) -> None:
        started = time.monotonic()
        for n in range(int(rate * seconds)):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._change()

    def _change(self) -> None:
        from zoho.sandbox.webhooks import build_delivery

        with self.lock:
            seq = len(self.changes)
            item_id = self.item_ids[seq % len(self.item_ids)]
            name = f"Soak change {seq:07d}"
            self.up.sandbox.store.edit("items", item_id, {"name": name})
            change = Change(seq, item_id, name, time.time())
            # The delivery carries the record as Zoho's item detail shows it after the edit.
            change.delivery = build_delivery("item", self.up.sandbox.store.detail("items", item_id), secret=SECRET)
            self.changes.append(change)
            self.by_name[name] = change
        self.jobs.put(change)

    def _deliver_loop(self) -> None:
        while (change := self.jobs.get()) is not None:
            body, headers, params = change.delivery
            change.attempts += 1
            started = time.monotonic()
            try:
                session = getattr(self.sessions, "session", None) or self._requests.Session()
                self.sessions.session = session
                status = session.post(self.url, data=body, headers=headers, params=params, timeout=15,
                                      verify=self.verify).status_code
            except self._requests.RequestException:
                self.sessions.session = None
                status = 0
            change.post_seconds = time.monotonic() - started
            with self.lock:
                self.statuses[status] += 1
                if not 200 <= status < 300:
                    self.failures.append((time.time(), status))
            if 200 <= status < 300:
                change.delivered = True
            elif change.attempts <= len(RETRIES):  # the next attempt later, without holding a sending thread
                timer = threading.Timer(RETRIES[change.attempts - 1], self.jobs.put, args=(change,))
                timer.daemon = True
                timer.start()

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)


class Watcher:
    """Reads the audit trail as it grows: which change reached the mirror, when, and how often.

    Ids are handed out when a row is written but become visible when its transaction commits, so a
    row of a slower transaction can show up below the highest id already read: each read goes back
    LOOKBACK ids and skips the rows it has seen, or that change would be counted lost."""

    LOOKBACK = 2000

    def __init__(self, url: str, by_name: dict[str, Change]) -> None:
        self.url, self.by_name = url, by_name
        self.last_id = 0
        self.seen: set[int] = set()
        self.queue_depth: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        import psycopg

        conn = None
        while not self._stop.wait(0.2):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
                rows = conn.execute(
                    "SELECT id, new_value, extract(epoch FROM created_at) FROM tds_audit_trail "
                    "WHERE id > %s AND entity = 'items' AND field = 'name' ORDER BY id",
                    [self.last_id - self.LOOKBACK]).fetchall()
                for row_id, value, at in rows:
                    if row_id in self.seen:
                        continue
                    self.seen.add(row_id)
                    self.last_id = max(self.last_id, row_id)
                    change = self.by_name.get(value if isinstance(value, str) else json.dumps(value))
                    if change is not None:
                        change.applied_at.append(float(at))
                depth = conn.execute("SELECT count(*) FROM tds_sync_queue WHERE status <> 'completed'").fetchone()[0]
                self.queue_depth.append((time.time(), depth))
            except psycopg.Error:
                conn = None  # the database is down (a fault): look again shortly

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=10)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else 0.0


def inject(up: Stack, kind: str, *, zoho_burst: float = ZOHO_BURST) -> float:
    """Cause one fault; returns how long the service was down (as far as this side can tell)."""
    started = time.monotonic()
    if kind == "worker":
        up.kill("worker-1")
    elif kind == "web":
        up.kill("web-1")
    elif kind == "redis":
        up.redis_restart()
    elif kind == "postgres":
        up.postgres_restart(POSTGRES_DOWN)
    elif kind == "zoho":
        up.sandbox.app.faults.configure("429=0.5,5xx=0.3")
        time.sleep(zoho_burst)
        up.sandbox.app.faults.configure("")
    return time.monotonic() - started


def recovery(changes: list[Change], fault: Fault, window: float = 10.0) -> float | None:
    """Seconds from the fault to the first moment from which the changes of the next ``window`` seconds
    were all applied with a freshness p99 within the goal; None when that never happened before the
    stream ended."""
    after = sorted((c for c in changes if c.edited_at >= fault.at), key=lambda c: c.edited_at)
    for index, first in enumerate(after):
        span = [c for c in after[index:] if c.edited_at <= first.edited_at + window]
        if span[-1].edited_at - first.edited_at < window * 0.8:
            return None
        fresh = [c.freshness for c in span if c.freshness is not None]
        if len(fresh) == len(span) and percentile(fresh, 0.99) <= GOAL_SECONDS:
            return first.edited_at - fault.at
    return None


def nginx_statuses(up: Stack) -> Counter[int]:
    assert up.layout is not None
    log = up.layout.log_dir / "tds.access.log"
    counts: Counter[int] = Counter()
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            match = re.search(r'" (\d{3}) ', line)
            if match:
                counts[int(match[1])] += 1
    return counts


def mail_subject(up: Stack, at: float, content: bytes | str) -> str:
    """When an alert mail arrived (seconds after the stack started) and its subject."""
    text = content.decode(errors="replace") if isinstance(content, bytes) else content
    match = re.search(r"(?mi)^Subject: (.*)$", text)
    return f"+{at - up.started_at:.0f} s: {match[1].strip() if match else '(no subject)'}"


def first_load(up: Stack) -> list[str]:
    import psycopg

    up._manage("tds_sync", "--entities", "warehouses", "items", "--full")
    with psycopg.connect(up.database_url) as conn:
        return [row[0] for row in conn.execute("SELECT zoho_item_id FROM products ORDER BY zoho_item_id")]


def stage(up: Stack, sender: Sender, watcher: Watcher, *, rate: float, seconds: float,
          faults: list[str], memory: dict[str, float] | None = None,
          zoho_burst: float = ZOHO_BURST) -> tuple[list[Change], list[Fault]]:
    """Send for ``seconds`` with ``faults`` spread evenly over the time; wait for the last changes.
    ``memory``, when given, receives every service's memory once the stack is warm, and when (WARM_AT)."""
    begin = len(sender.changes)
    timeline: list[Fault] = []
    if memory is not None:
        def warm() -> None:
            memory.update(up.rss())
            memory[WARM_AT] = time.time()

        threading.Timer(min(WARM_UP, seconds / 2), warm).start()

    def fault_runner() -> None:
        for index, kind in enumerate(faults):
            target = started + (index + 1) * seconds / (len(faults) + 1)
            time.sleep(max(0.0, target - time.monotonic()))
            fault = Fault(kind, time.time())
            timeline.append(fault)
            down = inject(up, kind, zoho_burst=zoho_burst)
            fault.until = fault.at + down
            print(f"  fault {kind} at +{fault.at - wall_start:.0f} s (down {down:.1f} s)", flush=True)

    started, wall_start = time.monotonic(), time.time()
    injector = threading.Thread(target=fault_runner, daemon=True)
    injector.start()
    sender.run(rate, seconds)
    injector.join()
    changes = sender.changes[begin:]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and any(not c.applied_at for c in changes
                                              if c.delivered or c.attempts <= len(RETRIES)):
        time.sleep(0.5)
    time.sleep(1)  # a late duplicate shows up in the audit trail within this second
    for fault in timeline:
        fault.recovered_after = recovery(changes, fault)
    return changes, timeline


def summary(changes: list[Change], timeline: list[Fault],
            failures: list[tuple[float, int]] | None = None) -> dict[str, Any]:
    def inside(change: Change) -> bool:
        return any(f.at - GOAL_SECONDS <= change.edited_at <= f.until + (f.recovered_after or RECOVERY_GOAL)
                   for f in timeline)

    def in_window(at: float) -> bool:
        return any(f.at <= at <= f.until + FAULT_SETTLE for f in timeline)

    groups: dict[str, list[float]] = {"outside": [], "inside": []}
    for change in changes:
        if change.freshness is not None:
            groups["inside" if inside(change) else "outside"].append(change.freshness)
    fresh = {name: {"count": len(values), "p50": percentile(values, 0.5), "p99": percentile(values, 0.99),
                    "max": max(values, default=0.0)} for name, values in groups.items()}
    posts = [c.post_seconds for c in changes if c.delivered]
    return {"changes": len(changes), "freshness": fresh, "lost": sum(1 for c in changes if not c.applied_at),
            "twice": sum(1 for c in changes if len(c.applied_at) > 1),
            "undelivered": sum(1 for c in changes if not c.delivered),
            "retried": sum(1 for c in changes if c.attempts > 1),
            "failed_outside_faults": dict(Counter(status for at, status in failures or [] if not in_window(at))),
            "delivery_p99": percentile(posts, 0.99), "delivery_p50": percentile(posts, 0.5),
            "faults": [{"kind": f.kind, "down_seconds": round(f.until - f.at, 1),
                        "recovered_after": None if f.recovered_after is None else round(f.recovered_after, 1)}
                       for f in timeline]}


def dead_letters_and_calls(up: Stack) -> dict[str, Any]:
    """Dead letters, failed runs, connections, Zoho's answers, and a deep compare of the items at the end."""
    import psycopg

    up._manage("tds_compare", "--deep", "--entities", "items")
    with psycopg.connect(up.database_url) as conn:
        report = conn.execute("SELECT summary FROM tds_sync_runs WHERE run_type = 'compare' "
                              "ORDER BY created_at DESC LIMIT 1").fetchone()
        items = next((c for c in (report[0] if report else {}).get("comparisons", []) if c.get("entity") == "items"),
                     {})
        dead = conn.execute("SELECT count(*) FROM tds_dead_letter_queue").fetchone()[0]
        failed = conn.execute("SELECT count(*) FROM tds_sync_runs WHERE status = 'failed'").fetchone()[0]
        connections = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'tds'").fetchone()[0]
    return {"dead_letters": dead, "failed_runs": failed, "pg_connections": connections,
            "zoho_calls": up.sandbox.calls.by_status(), "compare_items_match_pct": items.get("match_pct")}


def print_report(result: dict[str, Any]) -> None:
    fresh = result["freshness"]
    print(f"\nB9 soak: {result['changes']:,} changes at {result['rate']:g}/s over {result['minutes']:g} min, "
          f"faults: {', '.join(result['fault_kinds']) or 'none'}")
    for name in ("outside", "inside"):
        f = fresh[name]
        print(f"  freshness {name:<7} faults: n {f['count']:>6}  p50 {f['p50']:6.2f} s  p99 {f['p99']:6.2f} s  "
              f"max {f['max']:6.2f} s" + ("   (goal p99 <= 2 s)" if name == "outside" else ""))
    print(f"  lost {result['lost']}, applied twice {result['twice']}, undelivered after retries "
          f"{result['undelivered']} (goal 0, 0, 0); delivered on a retry {result['retried']}, failed answers "
          f"outside the fault windows {result['failed_outside_faults'] or 0} (goal 0)")
    print(f"  webhook POST through nginx: p50 {result['delivery_p50'] * 1000:.0f} ms, "
          f"p99 {result['delivery_p99'] * 1000:.0f} ms; nginx answers {dict(sorted(result['nginx'].items()))}")
    print(f"  dead letters {result['dead_letters']}, failed runs {result['failed_runs']}, PostgreSQL connections "
          f"at the end {result['pg_connections']}, deepest queue {result['max_queue']}")
    calls = sum(result["zoho_calls"].values())
    print(f"  Zoho API answers by status {result['zoho_calls']} ({calls / max(result['changes'], 1):.3f} calls a "
          f"change, first load included); alert mails received {result['mails']}")
    for subject in result["mail_subjects"]:
        print(f"    {subject}")
    print(f"  tds_compare --deep at the end: items match {result['compare_items_match_pct']} % (goal 100)")
    print(f"  queue depth every 10 s: {result['queue_depth']}")
    for fault in result["faults"]:
        back = fault["recovered_after"]
        print(f"  fault {fault['kind']:<8} down {fault['down_seconds']:5.1f} s, fresh again after "
              f"{'never' if back is None else f'{back:.1f} s'} (goal <= 30 s)")
    print("  memory (PSS) MB once warm -> end (growth):")
    for name, (start, end) in sorted(result["rss"].items()):
        growth = (end - start) / start * 100 if start else 0.0
        note = ("  (shared buffers filling, bounded by shared_buffers: not judged)" if name == PG_SHARED else
                "  (restarted by a fault after the warm sample: not judged)"
                if name in result["rss_not_judged"] else "")
        print(f"    {name:<11} {start:7.0f} -> {end:7.0f}  ({growth:+.0f} %){note}")
    print(f"\nresult: {'PASS' if result['ok'] else 'BELOW GOAL'}")


def soak(args: argparse.Namespace) -> dict[str, Any]:
    faults = [f for f in args.faults.split(",") if f]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise SystemExit(f"unknown fault {', '.join(sorted(unknown))} (known: {', '.join(FAULTS)})")
    seconds = args.minutes * 60
    items = max(200, min(3000, int(args.rate * seconds)))
    with tempfile.TemporaryDirectory(prefix="tds-soak-") as base, Stack(Path(base), items=items) as up:
        item_ids = first_load(up)
        sender = Sender(up, item_ids)
        watcher = Watcher(up.database_url, sender.by_name)
        rss_start: dict[str, float] = {}
        try:
            if args.step:
                start, step, top = (float(x) for x in args.step.split(","))
                stages, rate = [], start
                while rate <= top:
                    changes, _ = stage(up, sender, watcher, rate=rate, seconds=args.step_minutes * 60, faults=[])
                    part = summary(changes, [])
                    stages.append({"rate": rate, **part})
                    print(f"  step {rate:g}/s: p99 {part['freshness']['outside']['p99']:.2f} s, lost {part['lost']}",
                          flush=True)
                    if part["freshness"]["outside"]["p99"] > GOAL_SECONDS or part["lost"]:
                        break
                    rate += step
                good = [s["rate"] for s in stages if s["freshness"]["outside"]["p99"] <= GOAL_SECONDS and not s["lost"]]
                # Every stage within the goal: the knee lies above the last rate tried.
                return {"step": stages, "knee": max(good, default=0.0), "above_top": len(good) == len(stages)}
            changes, timeline = stage(up, sender, watcher, rate=args.rate, seconds=seconds, faults=faults,
                                      memory=rss_start, zoho_burst=args.zoho_burst)
            rss_end = up.rss()
        finally:
            sender.close()
            watcher.stop()
        result = {"rate": args.rate, "minutes": args.minutes, "fault_kinds": faults,
                  **summary(changes, timeline, sender.failures),
                  **dead_letters_and_calls(up), "nginx": dict(nginx_statuses(up)), "mails": len(up.mails),
                  "mail_subjects": [mail_subject(up, at, content) for at, _, content in up.mails],
                  "max_queue": max((d for _, d in watcher.queue_depth), default=0),
                  "queue_depth": [d for _, d in watcher.queue_depth[::50]],
                  "rss": {name: (rss_start.get(name, 0.0), rss_end.get(name, 0.0)) for name in rss_end}}
    # A service restarted by a fault before the warm sample has no start figure: nothing to compare.
    warm_at = rss_start.get(WARM_AT, float("inf"))
    restarted = {name for f in timeline if f.at > warm_at for name in RESTARTS.get(f.kind, ())}
    result["rss_not_judged"] = sorted(restarted | {PG_SHARED})
    growth_ok = all(end <= start * 1.10 + 5 for name, (start, end) in result["rss"].items()
                    if start and name not in result["rss_not_judged"])
    recovered = all(f["recovered_after"] is not None and f["recovered_after"] <= RECOVERY_GOAL
                    for f in result["faults"])
    result["ok"] = (result["freshness"]["outside"]["p99"] <= GOAL_SECONDS and result["lost"] == 0
                    and result["twice"] == 0 and recovered and growth_ok and result["compare_items_match_pct"] == 100
                    and result["undelivered"] == 0 and not result["failed_outside_faults"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--rate", type=float, default=20, help="Zoho changes per second")
    parser.add_argument("--faults", default="worker",
                        help=f"comma-separated, spread over the run: {', '.join(FAULTS)} ('' for none)")
    parser.add_argument("--zoho-burst", type=float, default=ZOHO_BURST,
                        help="seconds of Zoho's 429 and 5xx answers (the zoho fault)")
    parser.add_argument("--step", metavar="START,STEP,MAX", help="step mode: rates to try, no faults")
    parser.add_argument("--step-minutes", type=float, default=5)
    args = parser.parse_args()
    result = soak(args)
    if args.step:
        for part in result["step"]:
            fresh = part["freshness"]["outside"]
            print(f"  {part['rate']:>6g}/s  p50 {fresh['p50']:.2f} s  p99 {fresh['p99']:.2f} s  lost {part['lost']}")
        print(f"knee: {'at least ' if result['above_top'] else ''}{result['knee']:g} changes/s "
              f"(p99 <= {GOAL_SECONDS:g} s for {args.step_minutes:g} min)"
              + ("; every stage met the goal: raise MAX to find it" if result["above_top"] else ""))
        emit(**result)
        return 0
    print_report(result)
    emit(**result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
