"""Fault profiles: which API calls fail, and how, decided deterministically from the seed.

A spec is "5xx=0.1,429=0.05,timeout=0.02,expire_every=50,truncate=0.01,slow=0.0"; profiles
name common specs ("r1" mixes every kind of fault at rates a reliability test survives). The n-th API
call's fate depends only on the seed and n, so a run with the same seed and call order sees the same faults.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass

PROFILES = {
    "none": "",
    "r1": "5xx=0.1,429=0.05,timeout=0.02,expire_every=50,truncate=0.01",
    "flaky": "5xx=0.05,429=0.02,truncate=0.01",
    "slow": "slow=0.2",
}
KINDS = ("5xx", "429", "timeout", "truncate", "slow")


@dataclass(frozen=True)
class FaultSpec:
    rates: dict[str, float]
    expire_every: int = 0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        text = PROFILES.get(text.strip(), text)
        rates: dict[str, float] = {}
        expire_every = 0
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            name = name.strip()
            if name == "expire_every":
                expire_every = int(value)
            elif name in KINDS:
                rates[name] = float(value)
            else:
                raise ValueError(f"unknown fault {name!r} (known: {', '.join(KINDS)}, expire_every)")
        return cls(rates, expire_every)


class Faults:
    def __init__(self, spec: str, seed: int) -> None:
        self.seed = seed
        self.spec = FaultSpec.parse(spec)
        self._calls = 0
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def configure(self, spec: str) -> None:
        with self._lock:
            self.spec = FaultSpec.parse(spec)

    def next_call(self) -> tuple[bool, str | None]:
        """(expire tokens before this call?, fault kind or None) for the next API call."""
        with self._lock:
            self._calls += 1
            number, spec = self._calls, self.spec
        expire = bool(spec.expire_every) and number % spec.expire_every == 0
        draw = random.Random(self.seed * 1_000_003 + number).random()
        kind = None
        for name in KINDS:
            rate = spec.rates.get(name, 0.0)
            if draw < rate:
                kind = name
                break
            draw -= rate
        for name in filter(None, (kind, "expire" if expire else None)):
            with self._lock:
                self.injected[name] = self.injected.get(name, 0) + 1
        return expire, kind
