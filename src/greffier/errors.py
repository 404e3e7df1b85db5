"""Errors a user can act on: each names the problem and the fix."""

from __future__ import annotations


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
