"""Errors a user can act on: each names the problem and the fix."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_PATH = re.compile(r"(?<![\w.:/~-])(?!/(?:api|v1|ws|static|meetings)/)(?:/[^\s/'\"():;,]+){2,}")
"""An absolute file path: two names at least, not one of the service's own URLs (/api/…, /static/…)."""


class GreffierError(Exception):
    """An expected failure with a message for people: what is wrong, and what to do about it."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem} — {self.fix}" if self.fix else self.problem


class AudioError(GreffierError):
    """The input cannot be read as audio."""


class ModelError(GreffierError):
    """A model is missing, unreadable or fails its checksum."""


class BrokerError(GreffierError):
    """The message broker cannot be reached."""


class OptionsError(GreffierError):
    """Options that contradict each other or are out of range."""


class Refused(GreffierError):
    """A use-case of `greffier.app` that cannot do what was asked. The subclass says why (the adapters
    map it: an HTTP status, an exit code); `kind` names the case for clients (`not_found`,
    `transcription_failed`…), `param` the input at fault, `job` the job (`store.models.Job`) that is
    producing what was asked for, when one is."""

    kind = "invalid_request_error"

    def __init__(
        self,
        problem: str,
        fix: str | None = None,
        *,
        kind: str | None = None,
        param: str | None = None,
        job: object | None = None,
    ) -> None:
        super().__init__(problem, fix)
        self.kind = kind or type(self).kind
        self.param = param
        self.job = job


class Unreadable(Refused):
    """The input cannot be read at all (not JSON, an empty file)."""


class Invalid(Refused):
    """The input is read, but it is not what the use-case takes."""


class Unsupported(Refused):
    """A file of a kind the use-case cannot take (not a recording)."""

    kind = "unsupported_media"


class NotFound(Refused):
    """No such thing in the caller's organisation (or not yet)."""

    kind = "not_found"


class Forbidden(Refused):
    """The caller may not do this: their role in the organisation does not allow it."""

    kind = "permission_denied"


class NotReady(Refused):
    """The thing is there, but its state forbids it now: not transcribed yet, being written, failed."""

    kind = "not_ready"


class Stale(Refused):
    """A change made to a version that is no longer the latest (a lost update, refused)."""

    kind = "version_conflict"


class Gone(Refused):
    """The thing was there and is deleted for good."""

    kind = "withdrawn"


def without_paths(text: str) -> str:
    """`text` with each absolute file path cut down to its last name (`/srv/greffier/blobs/…/audio.wav`
    -> `audio.wav`): what a client of the service is shown never says where the server keeps files."""
    return _PATH.sub(lambda found: found.group().rsplit("/", 1)[-1], text)


PublicText = Annotated[str, AfterValidator(without_paths)]
"""A message the service shows its clients (HTTP errors, job errors, stream errors)."""
