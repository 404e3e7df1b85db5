"""People and their voiceprints, as the rest of the package sees them (no database types here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class Consent:
    """A person's explicit consent to being known by their voice (GDPR art. 9(2)(a))."""

    given_by: str
    """Who gave it: the person, or who speaks for them (an e-mail, a name)."""
    recorded_by: str
    """Who recorded it in Greffier (the signed-in user, or the CLI's user)."""
    given_at: datetime
    """When it was given (aware UTC)."""


@dataclass(frozen=True)
class Voiceprint:
    """One print of a person: a normalised CAM++ centroid of `seconds` of their speech."""

    vector: np.ndarray
    """(192,) float32, L2-normalised."""
    seconds: float
    source: str
    """Where the speech came from: "meeting <id> SPEAKER_01", "sample voice.wav"."""


@dataclass(frozen=True)
class PersonInfo:
    """What may be shown of a person: never the vectors."""

    id: str
    name: str
    email: str | None
    consent: Consent
    prints: int
    created: datetime
