"""Password guessing is slowed down: after `MAX_FAILURES` failed sign-ins for one e-mail within
`WINDOW_S`, that e-mail cannot sign in until its oldest failure leaves the window. Kept in memory,
per API process (a restart forgets)."""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 10
WINDOW_S = 15 * 60.0
_MAX_KEYS = 10_000


class SignInGuard:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - WINDOW_S:
            failures.popleft()
        return failures

    def wait_s(self, email: str) -> float:
        """Seconds before this e-mail may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(email.strip().lower(), now)
            return failures[0] + WINDOW_S - now if len(failures) >= MAX_FAILURES else 0.0

    def failed(self, email: str) -> None:
        key, now = email.strip().lower(), time.monotonic()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                self._failures.clear()
            failures = self._recent(key, now)
            failures.append(now)
            self._failures[key] = failures

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email.strip().lower(), None)
