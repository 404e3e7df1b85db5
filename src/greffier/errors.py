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


class OptionsError(GreffierError):
    """Options that contradict each other or are out of range."""


def without_paths(text: str) -> str:
    """`text` with each absolute file path cut down to its last name (`/srv/greffier/blobs/…/audio.wav`
    -> `audio.wav`): what a client of the service is shown never says where the server keeps files."""
    return _PATH.sub(lambda found: found.group().rsplit("/", 1)[-1], text)


PublicText = Annotated[str, AfterValidator(without_paths)]
"""A message the service shows its clients (HTTP errors, job errors, stream errors)."""
