"""The outbox relay as a loop: `greffier serve` runs it in a thread of its own when SAMU-Hub is
configured (`GREFFIER_HUB_HOST` and its certificates), as `greffier hub relay` does in the foreground.

Each pass is `relay.deliver` (what is due goes out, the answers come back); between passes the loop
waits `interval` seconds, or less when `wake()` is called (a case just queued goes out at once). A
pass that fails on something other than the broker (a database hiccup) is logged and tried again;
the loop never dies while the service runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from greffier.hub.client import HubConnection
from greffier.hub.relay import Delivery, deliver
from greffier.store.db import Database

log = logging.getLogger("greffier.hub")

INTERVAL_S = 2.0


class RelayLoop:
    def __init__(
        self,
        db: Database,
        hub: HubConnection,
        interval: float = INTERVAL_S,
        on_pass: Callable[[Delivery], None] | None = None,
    ) -> None:
        self.db, self.hub, self.interval = db, hub, interval
        self._on_pass = on_pass or _log_pass
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> Delivery:
        done = deliver(self.db, self.hub)
        self._on_pass(done)
        return done

    def run(self) -> None:
        """Passes until `stop()`."""
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # keep relaying through a database hiccup
                log.exception("SAMU-Hub relay: unexpected error; retrying")
            self._wake.wait(self.interval)

    def start(self) -> None:
        """Run in a daemon thread of its own (`greffier serve`)."""
        self._thread = threading.Thread(target=self.run, name="hub-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Make the next pass now (a message was just queued)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


def said(done: Delivery) -> tuple[list[str], str | None]:
    """What a pass did, a line per message ("sent: <id>"), and why the broker failed it (or None)."""
    lines = [
        f"{what}: {distribution_id}"
        for what, ids in (("sent", done.sent), ("acknowledged", done.acknowledged), ("refused", done.refused))
        for distribution_id in ids
    ]
    return lines, f"{done.error}: the messages wait, tried again with back-off" if done.error else None


def _log_pass(done: Delivery) -> None:
    lines, failed = said(done)
    for line in lines:
        log.info("SAMU-Hub: %s", line)
    if failed:
        log.warning("SAMU-Hub: %s", failed)
