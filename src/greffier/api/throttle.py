"""Password guessing is slowed down per source address and account together: a failed sign-in counts
against that pair only, so nobody can lock a person out from another address. The pair's failures
back off in steps (`PAIR_LIMITS`: 10 within 15 minutes, then 20 within an hour, then 30 within a
day), and one address failing for many accounts is stopped as well (`SOURCE_LIMITS`); a success
clears its pair. Kept in memory per API process (a restart forgets), in `cachetools` TTL caches: each
count expires with its longest window, and at most `MAX_KEYS` pairs and addresses are kept (past
that, the least recently used goes first), so a flood of new addresses or e-mails wipes nothing else.
"""

from __future__ import annotations

import threading
import time

from cachetools import TTLCache

Limits = tuple[tuple[int, float], ...]
"""(failures, within seconds) steps."""
PAIR_LIMITS: Limits = ((10, 15 * 60.0), (20, 3600.0), (30, 86400.0))
SOURCE_LIMITS: Limits = ((100, 3600.0),)
MAX_KEYS = 100_000


class _Failures:
    """The latest failure times (monotonic) of each key, within its limits' longest window."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._times: TTLCache[object, tuple[float, ...]] = TTLCache(
            MAX_KEYS, max(window for _, window in limits)
        )

    def wait_s(self, key: object, now: float) -> float:
        times = self._times.get(key, ())
        waits = [0.0]
        for count, window in self.limits:
            recent = [t for t in times if t > now - window]
            if len(recent) >= count:
                waits.append(recent[-count] + window - now)
        return max(waits)

    def add(self, key: object, now: float) -> None:
        most = max(count for count, _ in self.limits)
        self._times[key] = (*self._times.get(key, ()), now)[-most:]

    def clear(self, key: object) -> None:
        self._times.pop(key, None)


class SignInGuard:
    def __init__(self) -> None:
        self._pairs, self._sources = _Failures(PAIR_LIMITS), _Failures(SOURCE_LIMITS)
        self._lock = threading.Lock()

    @staticmethod
    def _pair(source: str, email: str) -> tuple[str, str]:
        return source, email.strip().lower()

    def wait_s(self, source: str, email: str) -> float:
        """Seconds before `source` may try this e-mail again (0: now)."""
        now = time.monotonic()
        with self._lock:
            return max(self._pairs.wait_s(self._pair(source, email), now), self._sources.wait_s(source, now))

    def failed(self, source: str, email: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._pairs.add(self._pair(source, email), now)
            self._sources.add(source, now)

    def succeeded(self, source: str, email: str) -> None:
        with self._lock:
            self._pairs.clear(self._pair(source, email))
