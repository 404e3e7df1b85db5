"""Corrections a person makes to a transcript: a segment's text (its word timings kept where the words
are unchanged), the speaker of a segment, and speaker names. Each returns a new `Transcript`.

Words may be pieces of the written tokens ("j" + "'ai" for "j'ai"), so a segment's words are first
grouped by the whitespace-separated tokens of its text; the corrected text is then compared token by
token with `difflib`: unchanged tokens keep their words as they were, and each run of new tokens
shares the time of the tokens it replaces (or the gap where it was inserted), in proportion to length.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from greffier.errors import GreffierError
from greffier.transcript import Segment, Transcript, Word

CORRECTED_PROBABILITY = 1.0
"""A word a person typed is certain."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
MAX_SEGMENT_CHARS = 5000


class EditError(GreffierError):
    """A correction that cannot apply to this transcript."""


@dataclass(frozen=True)
class SegmentEdit:
    id: int
    text: str | None = None
    """The corrected text; an empty text removes the segment."""
    speaker: str | None = None
    """The id of the speaker who said it."""


@dataclass(frozen=True)
class Token:
    """A whitespace-separated piece of a segment's text and the words it is made of."""

    text: str
    words: tuple[Word, ...]


def tokens(segment: Segment) -> list[Token]:
    """Group the segment's words by the tokens of its text; a word the text does not hold is a token."""
    text = segment.text
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    groups: list[tuple[int | None, list[Word]]] = []
    cursor = index = 0
    for word in segment.words:
        needle = word.text.strip()
        at = text.find(needle, cursor) if needle else -1
        if at < 0:  # the text and the words disagree: the word is a token of its own
            groups.append((None, [word]))
            continue
        cursor = at + len(needle)
        while index < len(spans) and spans[index][1] <= at:
            index += 1
        if groups and groups[-1][0] == index:
            groups[-1][1].append(word)
        else:
            groups.append((index, [word]))
    return [
        Token(
            text[slice(*spans[k])] if k is not None and k < len(spans) else words[0].text.strip(),
            tuple(words),
        )
        for k, words in groups
    ]


def clean_text(text: str) -> str:
    if len(text) > MAX_SEGMENT_CHARS:
        raise EditError(
            f"the corrected text is too long ({len(text)} characters)",
            f"keep a segment under {MAX_SEGMENT_CHARS} characters, or correct it in smaller parts",
        )
    if _CONTROL.search(text.replace("\n", " ").replace("\t", " ").replace("\r", " ")):
        raise EditError(
            "the corrected text holds a control character", "type printable text only (new lines are fine)"
        )
    return " ".join(text.split())


def _spread(texts: Sequence[str], start: float, end: float, speaker: str | None) -> list[Word]:
    """New words sharing [start, end] in proportion to their lengths."""
    total = sum(len(t) for t in texts) or 1
    words, at = [], start
    for text in texts:
        step = (end - start) * len(text) / total
        words.append(Word(round(at, 3), round(at + step, 3), text, CORRECTED_PROBABILITY, speaker))
        at += step
    return words


def _fold(text: str) -> str:
    return text.casefold()


def correct_text(segment: Segment, text: str) -> Segment:
    """The segment with `text`, its words realigned (see the module's docstring)."""
    text = clean_text(text)
    old = tokens(segment)
    new = text.split()
    words: list[Word] = []
    matcher = difflib.SequenceMatcher(
        None, [_fold(t.text) for t in old], [_fold(t) for t in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for token, written in zip(old[i1:i2], new[j1:j2], strict=True):
                words.extend(_rewritten(token, written))
        elif op == "replace" and i2 - i1 == j2 - j1:  # word for word: each keeps its own time
            for token, written in zip(old[i1:i2], new[j1:j2], strict=True):
                words.extend(_spread([written], token.words[0].start, token.words[-1].end, segment.speaker))
        elif op in ("replace", "insert"):
            if i1 < i2:
                start, end = old[i1].words[0].start, old[i2 - 1].words[-1].end
            else:
                start = old[i1 - 1].words[-1].end if i1 > 0 else segment.start
                end = old[i1].words[0].start if i1 < len(old) else segment.end
            words.extend(_spread(new[j1:j2], start, max(start, end), segment.speaker))
    return replace(segment, text=text, words=tuple(words))


def _rewritten(token: Token, written: str) -> tuple[Word, ...]:
    """The token's words; when only its case changed, the written form replaces a one-word token."""
    if token.text == written or len(token.words) != 1:
        return token.words
    return (replace(token.words[0], text=written),)


def assign_speaker(segment: Segment, speaker: str) -> Segment:
    return replace(
        segment, speaker=speaker, words=tuple(replace(word, speaker=speaker) for word in segment.words)
    )


def apply_edits(
    transcript: Transcript, segments: Sequence[SegmentEdit] = (), speaker_names: Mapping[str, str] = {}
) -> Transcript:
    """All corrections at once (one new version); raises `EditError` naming the first that cannot apply."""
    known = {speaker.id for speaker in transcript.speakers}
    for speaker_id, name in speaker_names.items():
        if speaker_id not in known:
            raise EditError(
                f"no speaker {speaker_id!r} in this transcript",
                f"use one of: {', '.join(sorted(known)) or 'none (no speakers were found)'}",
            )
        name = clean_text(name)
        if not name or len(name) > 200:
            raise EditError(
                "a speaker's name must hold 1 to 200 characters", "type a shorter, non-empty name"
            )
        transcript = transcript.rename_speaker(speaker_id, name)
    by_id = {segment.id: segment for segment in transcript.segments}
    removed: set[int] = set()
    turns = transcript.turns
    for edit in segments:
        segment = by_id.get(edit.id)
        if segment is None:
            raise EditError(
                f"no segment {edit.id} in this transcript", "reload the transcript: it may have changed"
            )
        if edit.speaker is not None:
            if edit.speaker not in known:
                raise EditError(
                    f"no speaker {edit.speaker!r} in this transcript",
                    f"use one of: {', '.join(sorted(known)) or 'none (no speakers were found)'}",
                )
            if edit.speaker != segment.speaker:
                turns = ()  # the diarizer's turns no longer hold: the corrected segments say who spoke
            segment = assign_speaker(segment, edit.speaker)
        if edit.text is not None:
            if not clean_text(edit.text):
                removed.add(edit.id)
                continue
            segment = correct_text(segment, edit.text)
        by_id[edit.id] = segment
    kept = tuple(by_id[s.id] for s in transcript.segments if s.id not in removed)
    return replace(transcript, segments=kept, turns=turns)
