"""Speaker labels for live finals, computed online from each final's own audio.

Batch diarization (`greffier.diarize`) sees the whole recording before it clusters; a live final
is labelled when it is sent, and its label never changes afterwards (clients key on
`final.speaker`). So each final's speech is cut into the windows of `diarize.timeline` and embedded
(CAM++, `diarize.embed`), their mean is its voice, and the voice goes to the speaker whose centroid
(the normalised mean of that speaker's voices so far, `diarize.cluster.centroids`) is nearest by
cosine, when at least `threshold` near; that centroid then moves towards it. Otherwise the final is
a new speaker, `SPEAKER_00`, `SPEAKER_01`… in order of appearance (at most `max_speakers`, then the
nearest). A final with less speech than `min_speech` is too short for a reliable voice: it takes
the nearest speaker without moving any centroid (the previous one, or `SPEAKER_00`, when there is
none yet).

With the organisation's prints (`people`, a stream opened with `identify`), the speakers' centroids
are matched one-to-one with its people after each final (`people.identify`, its threshold): a
final carries the person its speaker is at that moment (`person_of`), and the stream's transcript
names the speakers found to be people.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from greffier.asr.streaming import PassStats
from greffier.audio import SAMPLE_RATE
from greffier.diarize.cluster import centroids
from greffier.diarize.embed import SpeakerEmbedder
from greffier.diarize.options import DEFAULT_MAX_SPEAKERS
from greffier.diarize.timeline import windows
from greffier.people.identify import Match, PrintIndex, identify
from greffier.transcript import Segment, Speaker
from greffier.vad import Region


@dataclass(frozen=True)
class SpeakerOptions:
    threshold: float = 0.5
    """Cosine to a speaker's centroid from which a final's voice is that speaker's."""
    min_speech: float = 1.0
    """Seconds of words below which a final's voice is not trusted (nearest speaker, no update)."""
    max_speakers: int = DEFAULT_MAX_SPEAKERS


class AudioTail:
    """The last `keep` seconds of a stream's audio, to cut out each final's samples."""

    def __init__(self, keep: float = 60.0) -> None:
        self._keep = round(keep * SAMPLE_RATE)
        self._chunks: deque[np.ndarray] = deque()
        self._start = 0
        """Sample index of the first kept sample."""
        self._length = 0

    def append(self, samples: np.ndarray) -> None:
        self._chunks.append(samples)
        self._length += len(samples)
        while self._chunks and self._length - len(self._chunks[0]) >= self._keep:
            dropped = self._chunks.popleft()
            self._start += len(dropped)
            self._length -= len(dropped)

    def between(self, start: float, end: float) -> np.ndarray:
        """The samples of [start, end) seconds from the start of the stream (what is still kept)."""
        first = max(round(start * SAMPLE_RATE), self._start)
        last = min(round(end * SAMPLE_RATE), self._start + self._length)
        if last <= first:
            return np.zeros(0, np.float32)
        kept = np.concatenate(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        self._chunks = deque([kept])
        return kept[first - self._start : last - self._start]


class OnlineSpeakers:
    """One stream's speakers: `feed` its audio, then `label` each final in order."""

    def __init__(
        self,
        embedder: SpeakerEmbedder,
        options: SpeakerOptions = SpeakerOptions(),
        people: PrintIndex | None = None,
    ) -> None:
        self.embedder = embedder
        self.options = options
        self.people = people if people is not None and len(people) else None
        self._matches: dict[str, Match] = {}
        self.stats = PassStats()
        """Time spent labelling finals (one entry per final)."""
        self._audio = AudioTail()
        self._voices: list[np.ndarray] = []
        self._labels: list[int] = []
        self._centroids = np.zeros((0, 0), np.float32)
        self._previous: int | None = None
        self._named = 0
        """Speakers given to finals so far (a short first final is SPEAKER_00 before it has a voice)."""

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        out = []
        for speaker in (_name(i) for i in range(self._named)):
            m = self._matches.get(speaker)
            out.append(Speaker(speaker, m.name, m.person_id, m.score) if m else Speaker(speaker))
        return tuple(out)

    def person_of(self, speaker: str | None) -> Match | None:
        """The person `speaker`'s voice is, as matched after the last final (None: nobody known)."""
        return self._matches.get(speaker) if speaker else None

    def feed(self, samples: np.ndarray) -> None:
        self._audio.append(samples)

    def label(self, segment: Segment) -> Segment:
        """The final with its speaker (and its words'); its audio must have been fed."""
        started = time.perf_counter()
        label = self._assign(segment)
        self._previous = label
        self._named = max(self._named, label + 1)
        self.stats.add(time.perf_counter() - started)
        name = _name(label)
        return replace(segment, speaker=name, words=tuple(replace(w, speaker=name) for w in segment.words))

    def _assign(self, segment: Segment) -> int:
        speech = sum(w.end - w.start for w in segment.words) or segment.end - segment.start
        trusted = speech >= self.options.min_speech
        if not trusted and not len(self._centroids):
            return self._previous or 0
        voice = self._voice(segment)
        if voice is None:
            return self._previous or 0
        if len(self._centroids):
            scores = self._centroids @ voice
            best = int(np.argmax(scores))
            if not trusted or scores[best] >= self.options.threshold:
                if trusted:
                    self._remember(voice, best)
                return best
            if len(self._centroids) >= self.options.max_speakers:
                return best
        new = len(self._centroids)
        self._remember(voice, new)
        return new

    def _voice(self, segment: Segment) -> np.ndarray | None:
        """The mean embedding of the final's windows, normalised; None when no audio is left for it."""
        audio = self._audio.between(segment.start, segment.end)
        if not len(audio):
            return None
        spans = windows([Region(0.0, len(audio) / SAMPLE_RATE)])
        vectors = self.embedder.embed(audio, spans)
        mean = vectors.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-8)

    def _remember(self, voice: np.ndarray, label: int) -> None:
        self._voices.append(voice)
        self._labels.append(label)
        self._centroids = centroids(np.array(self._labels), np.stack(self._voices))
        if self.people is not None:
            self._matches = identify({_name(i): c for i, c in enumerate(self._centroids)}, self.people)


def _name(label: int) -> str:
    return f"SPEAKER_{label:02d}"
