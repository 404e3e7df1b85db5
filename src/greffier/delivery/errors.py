"""How a delivery fails: `Transient` (the destination is down or busy: try again later) or
`Refused` (it answered no: retrying will not help until someone fixes the destination)."""

from __future__ import annotations

from greffier.errors import GreffierError


class DeliveryError(GreffierError):
    """A destination that cannot be added, used or reached; says what to fix."""


class Transient(DeliveryError):
    """The destination could not be reached, or answered 'later' (5xx, 429, SMTP 4xx)."""


class Refused(DeliveryError):
    """The destination refused the delivery (bad credentials, no such room or folder)."""


def http_failure(what: str, status: int, body: str, fix: str) -> DeliveryError:
    """The error of an HTTP answer that is not a success: transient for 5xx and 429."""
    problem = f"{what} answered HTTP {status}: {body[:200].strip()}"
    if status >= 500 or status == 429:
        return Transient(problem, "it should pass on a later try; if not, check the server's logs")
    if status in (401, 403):
        return Refused(problem, "check the destination's credentials: greffier admin destination add … again")
    return Refused(problem, fix)
