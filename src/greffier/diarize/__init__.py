"""Who spoke when, two ways chosen by the audio's bandwidth:
- wideband recordings (meetings): pyannote segmentation-3.0 over sliding chunks -> CAM++ per (chunk,
  local speaker) -> agglomerative clusters -> global speakers per frame, two where they overlap
  (`meeting.py`);
- telephone-band recordings (nothing above 4 kHz: 8-kHz calls, on which segmentation-3.0 was measured
  worse): Silero speech regions -> 1.5 s windows -> CAM++ -> spectral clusters -> speaker turns.
Then every word and segment is labelled, segments split at speaker changes; the turns are kept in
the transcript (`Transcript.turns`, what the RTTM export writes, overlapping where two speak at once).

    diarize(audio, transcript, DiarizeOptions(num_speakers=2)) -> Transcript

`audio` is the recording as 16 kHz mono float32; the transcript is the recogniser's, with word
timestamps. Stereo calls whose channels are the parties use `merge_channels` instead (no clustering).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.config import Settings
from greffier.diarize.assign import (
    absorb_short_runs,
    changed_runs,
    recheck_interjections,
    split_by_speaker,
    word_speakers,
)
from greffier.diarize.band import is_telephone_band
from greffier.diarize.channels import merge_channels
from greffier.diarize.cluster import centre, centroids, cluster
from greffier.diarize.embed import SpeakerEmbedder, get_embedder
from greffier.diarize.meeting import meeting_speakers, meeting_speech
from greffier.diarize.options import DiarizeOptions
from greffier.diarize.segmentation import Segmenter, get_segmenter
from greffier.diarize.timeline import overwrite, regions_of, turns, windows
from greffier.transcript import Transcript
from greffier.vad import Region

__all__ = ["DiarizeOptions", "SpeakerEmbedder", "diarize", "meeting_regions", "merge_channels"]

INTERJECTION_PAD_S = 0.1


def uses_segmentation(audio: np.ndarray, options: DiarizeOptions) -> bool:
    """Whether speakers are found by the segmentation model (meetings) rather than by windows."""
    if options.method == "auto":
        return not is_telephone_band(audio)
    return options.method == "segmentation"


def meeting_regions(
    audio: np.ndarray, options: DiarizeOptions, settings: Settings | None = None
) -> list[Region] | None:
    """Speech regions of a recording diarized by the segmentation model, which hears the quiet and
    far-field speech of meetings that Silero misses; None otherwise (telephone-band audio, or the
    windowed diarizer asked for: Silero's job)."""
    if not uses_segmentation(audio, options):
        return None
    return meeting_speech(audio, get_segmenter(settings))


def diarize(
    audio: np.ndarray,
    transcript: Transcript,
    options: DiarizeOptions | None = None,
    *,
    settings: Settings | None = None,
    embedder: SpeakerEmbedder | None = None,
    segmenter: Segmenter | None = None,
) -> Transcript:
    """A new transcript whose speakers are found in `audio`; every segment and word gets one."""
    options = options or DiarizeOptions()
    if not transcript.words:
        return replace(transcript, speakers=())
    embedder = embedder or get_embedder(settings)
    if uses_segmentation(audio, options):
        found = meeting_speakers(audio, options, embedder, segmenter or get_segmenter(settings))
        # fewer voices than --min-speakers asks for win a frame: the windowed diarizer honours it
        if found is not None and len({t.speaker for t in found.turns}) >= options.low:
            speakers = absorb_short_runs(transcript.words, word_speakers(transcript.words, found.turns))
            return split_by_speaker(transcript, speakers, found.turns, wordless=True)
    return _windowed(audio, transcript, options, embedder)


def _windowed(
    audio: np.ndarray, transcript: Transcript, options: DiarizeOptions, embedder: SpeakerEmbedder
) -> Transcript:
    # Words where the VAD heard nothing (quiet speech) still belong to someone: their segments count.
    spans = windows(regions_of(audio) or [Region(s.start, s.end) for s in transcript.segments])
    vectors = embedder.embed(audio, spans)
    labels = cluster(vectors, options)
    speaker_turns = turns(spans, labels)
    words = transcript.words
    speakers = word_speakers(words, speaker_turns)

    mean = vectors.mean(axis=0)

    def voice_of(spans_s: list[tuple[float, float]]) -> np.ndarray:
        pad = INTERJECTION_PAD_S
        samples = [
            (max(0, round((s - pad) * SAMPLE_RATE)), round((e + pad) * SAMPLE_RATE)) for s, e in spans_s
        ]
        return centre(embedder.embed(audio, samples), mean)

    voices = centroids(labels, centre(vectors, mean))
    rechecked = recheck_interjections(words, speakers, voice_of, voices)
    for a, b in changed_runs(speakers, rechecked):  # the turns say what the words say
        speaker_turns = overwrite(speaker_turns, words[a].start, words[b - 1].end, rechecked[a])
    return split_by_speaker(transcript, rechecked, speaker_turns)
