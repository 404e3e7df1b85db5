"""What the user may say about the speakers: an exact count, or bounds. Contradictions are refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from greffier.errors import OptionsError

DEFAULT_MAX_SPEAKERS = 8
"""Upper bound of the automatic speaker count when none is given."""
METHODS = ("auto", "segmentation", "windowed")
Method = Literal["auto", "segmentation", "windowed"]
"""How speakers are found: `segmentation` (pyannote segmentation-3.0 + CAM++, for meetings),
`windowed` (CAM++ on 1.5-s windows + spectral clustering, for telephone-band calls), or `auto`: by
the recording's bandwidth."""


@dataclass(frozen=True)
class DiarizeOptions:
    num_speakers: int | None = None
    """Exact number of speakers, when known; otherwise it is estimated within the bounds."""
    min_speakers: int | None = None
    max_speakers: int | None = None
    method: Method = "auto"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise OptionsError(f"unknown diarizer {self.method!r}", f"use one of {', '.join(METHODS)}")
        for flag, value in (
            ("--num-speakers", self.num_speakers),
            ("--min-speakers", self.min_speakers),
            ("--max-speakers", self.max_speakers),
        ):
            if value is not None and value < 1:
                raise OptionsError(f"{flag} {value} is below 1", f"give {flag} 1 or more, or leave it out")
        if (
            self.min_speakers is not None
            and self.max_speakers is not None
            and self.min_speakers > self.max_speakers
        ):
            raise OptionsError(
                f"--min-speakers {self.min_speakers} is above --max-speakers {self.max_speakers}",
                "give a minimum no larger than the maximum (or --num-speakers N if the count is known)",
            )
        if self.num_speakers is not None and not self.low <= self.num_speakers <= self.high:
            raise OptionsError(
                f"--num-speakers {self.num_speakers} is outside --min-speakers/--max-speakers "
                f"({self.low}..{self.high})",
                "give either --num-speakers or the bounds, not both",
            )

    @property
    def low(self) -> int:
        return self.min_speakers or 1

    @property
    def high(self) -> int:
        return self.max_speakers or max(DEFAULT_MAX_SPEAKERS, self.low)
