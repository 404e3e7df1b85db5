"""What one kind of destination is handed (`Target`) and the HTTP call they share (`request`):
transport errors and 5xx/429 are `Transient`, other failures `Refused`, with what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from greffier.delivery.content import Package
from greffier.delivery.errors import Transient, http_failure


@dataclass(frozen=True)
class Target:
    package: Package
    config: Any
    """The destination's validated config (`kinds.MatrixConfig`, …)."""
    secret: str | None
    previous: dict[str, Any] = field(default_factory=dict)
    """What the last delivery of the same event of this meeting left there (`Delivery.remote`)."""
    timeout_s: float = 30.0


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    what: str,
    fix: str,
    ok: tuple[int, ...] = (),
    **kwargs: Any,
) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise Transient(
            f"{what} cannot be reached ({exc.__class__.__name__}: {exc})",
            "it is retried with back-off; if it stays down, check the address and that the server runs",
        ) from exc
    if response.is_success or response.status_code in ok:
        return response
    raise http_failure(what, response.status_code, response.text, fix)
