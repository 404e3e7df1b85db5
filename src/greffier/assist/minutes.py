"""Minutes of a meeting: title, summary, topics, decisions, action items and open questions.

`write_minutes(transcript)` is the public entry point. The transcript is shown to the model in
pieces that fit its context (cut where the topic shifts); from each piece the model writes title,
summary, topics and decisions, each with the transcript sentence it comes from as a quote (the JSON
schema only admits sentences that exist, so a grammar-constrained model cannot invent one; others
are checked). Every claim is grounded against the piece (`grounding.Grounder`) and dropped when it
fails (the pieces are read side by side where the backend can: `LLM.complete_all`). Then the
focused pass (`assist/focused.py`) asks about one candidate sentence at a time for the action
items, decisions and open questions. Its rule is written for French and English
(`candidates.knows`): for a transcript in another language, the piece pass lists the action items
(owner: one of the speakers, or null) and open questions instead. Then pieces are merged:
near-duplicate claims (sentence embeddings) fused, and for several pieces one more call writes the
title and summary from the pieces' summaries (map-reduce). Without a model, the minutes hold an
extractive summary (key passages) and say why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from greffier.assist import candidates, chunks, focused
from greffier.assist.embed import embed, near_duplicates
from greffier.assist.grounding import MIN_QUOTE_WORDS, Grounder, Ledger
from greffier.assist.llm import LLM, LLMOutputError, LLMUnavailable, load_llm
from greffier.assist.prompts import prompts_for, user_message
from greffier.assist.types import ActionItem, Minutes, Passage, Point, Span, Topic, speaker_names
from greffier.config import Settings, get_settings
from greffier.errors import GreffierError
from greffier.transcript import Segment, Transcript

ProgressCallback = Callable[[str, float], None]
"""Called with (stage, fraction of that stage done in 0..1)."""

DUPLICATE_SIMILARITY = 0.85
"""Cosine of two claims' sentence embeddings above which the later one is a repeat of the earlier."""
KEY_PASSAGES = 6


# -- what the model is asked for (pydantic at the edge: its JSON schema drives the grammar) ----
class ClaimOut(BaseModel):
    text: str = Field(max_length=240)
    quote: str = Field(description="the transcript sentence it comes from, copied exactly")


class TopicOut(BaseModel):
    quote: str = Field(description="the transcript sentence where the topic starts")
    title: str = Field(max_length=80)


class PieceOut(BaseModel):
    title: str = Field(max_length=100)
    summary: str = Field(max_length=600)
    topics: list[TopicOut] = Field(min_length=1, max_length=4)
    """At least one: every piece is about something (left free, the 1.5B model sometimes wrote none
    for a one-speaker story that it summarised well)."""
    decisions: list[ClaimOut] = Field(max_length=5)
    """Action items and open questions come from the focused pass (`assist/focused.py`), or from
    `PieceListsOut` where its rule does not know the language."""


class ActionOut(BaseModel):
    owner: str | None = Field(max_length=60, description="the speaker who will do it, else null")
    task: str = Field(max_length=240)
    due: str | None = Field(max_length=60, description="deadline exactly as said, else null")
    quote: str


class PieceListsOut(PieceOut):
    """The piece pass for a transcript whose language the focused pass's rule does not know."""

    action_items: list[ActionOut] = Field(max_length=6)
    open_questions: list[ClaimOut] = Field(max_length=4)


class OverallOut(BaseModel):
    title: str = Field(max_length=100)
    summary: str = Field(max_length=900)


def write_minutes(
    transcript: Transcript,
    *,
    settings: Settings | None = None,
    language: str | None = None,
    llm: LLM | None = None,
    progress: ProgressCallback | None = None,
) -> Minutes:
    """Minutes of `transcript` in `language` (default: the transcript's), every claim grounded.

    Uses `llm` or the configured model (`load_llm`); with no model available, returns minutes with
    key passages only and the reason in `notice`.
    """
    settings = settings or get_settings()
    language = language or transcript.language
    progress = progress or (lambda stage, fraction: None)
    if not any(s.text.strip() for s in transcript.segments):
        raise GreffierError(
            "the transcript has no text to write minutes from",
            "check that the recording has speech and was transcribed",
        )
    try:
        model = llm or load_llm(settings)
        return _llm_minutes(transcript, model, language, settings, progress)
    except LLMUnavailable as exc:
        return extractive_minutes(transcript, language, settings, notice=str(exc), progress=progress)


def piece_request(
    piece: Sequence[Segment],
    names: dict[str, str],
    language: str,
    n: int = 0,
    total: int = 1,
    *,
    lists: bool = False,
) -> tuple[str, dict[str, Any]]:
    """What the model is asked for piece `n` of `total`: the user message, and the JSON schema of
    `PieceOut` (`PieceListsOut` with `lists`, whose owners can only be the piece's speakers) whose
    quotes can only be the piece's quotable sentences."""
    prompts = prompts_for(language)
    part = prompts.part.format(n=n + 1, total=total) if total > 1 else ""
    task = prompts.piece.format(part=part, lists=prompts.lists if lists else "", claims=prompts.claims[lists])
    user = user_message(prompts, chunks.format_script(piece, names), task)
    quotes = chunks.quotable(piece, MIN_QUOTE_WORDS)
    if not lists:
        return user, chunks.constrained_schema(PieceOut, quotes)
    speakers = [names.get(s.speaker, s.speaker) for s in piece if s.speaker]
    return user, chunks.constrained_schema(PieceListsOut, quotes, list(dict.fromkeys(speakers)))


def _llm_minutes(
    transcript: Transcript, llm: LLM, language: str, settings: Settings, progress: ProgressCallback
) -> Minutes:
    timings: dict[str, float] = {}
    usage_before = replace(llm.usage)
    started = time.perf_counter()
    names = speaker_names(transcript)
    segments = [s for s in transcript.segments if s.text.strip()]
    budget = min(settings.llm_chunk_tokens, llm.context_tokens - 1800)  # room for prompt and answer
    pieces = chunks.split(segments, budget, llm.count_tokens, names, lambda texts: embed(texts, settings))
    timings["chunking"] = time.perf_counter() - started

    ledger = Ledger()
    lists = not candidates.knows(transcript.language)  # the piece pass lists action items and questions
    outs: list[PieceOut] = []
    topics: list[Topic] = []
    decisions: list[Point] = []
    actions: list[ActionItem] = []
    questions: list[Point] = []
    failures: list[str] = []
    started = time.perf_counter()
    progress("minutes: reading", 0.0)
    prompts = prompts_for(language)
    finished = 0

    def piece_done(_: int) -> None:
        nonlocal finished
        finished += 1
        progress("minutes: reading", finished / len(pieces))

    answers = llm.complete_all(
        prompts.system,
        [
            piece_request(piece, names, language, n, len(pieces), lists=lists)
            for n, piece in enumerate(pieces)
        ],
        PieceListsOut if lists else PieceOut,
        1800,
        piece_done,
    )
    for n, (piece, out) in enumerate(zip(pieces, answers, strict=True)):
        if isinstance(out, LLMOutputError):
            failures.append(f"part {n + 1}: {out.problem}")
            continue
        outs.append(out)
        grounder = Grounder(transcript, piece)
        topics += _topics(out.topics, piece, grounder)
        decisions += _points("decision", out.decisions, grounder, ledger)
        if isinstance(out, PieceListsOut):
            questions += _points("open question", out.open_questions, grounder, ledger)
            actions += [
                a
                for o in out.action_items
                if (a := grounder.action(o.task, o.owner, o.due, o.quote, ledger)) is not None
            ]
    timings["reading"] = time.perf_counter() - started
    if not outs:
        raise LLMUnavailable(
            "no LLM output could be used: " + "; ".join(failures), "use a stronger model (GREFFIER_LLM_URL)"
        )

    started = time.perf_counter()
    progress("minutes: commitments", 0.0)
    if lists:
        decisions = focused.without_restated_actions(decisions, actions, ledger)
    else:
        found = focused.focused_claims(
            llm, prompts, segments, names, decisions, Grounder(transcript, segments), ledger
        )
        decisions, actions, questions = found.decisions, found.action_items, found.open_questions
        failures += found.failures
    progress("minutes: commitments", 1.0)
    timings["focused"] = time.perf_counter() - started

    started = time.perf_counter()
    progress("minutes: merging", 0.0)
    title, summary = outs[0].title, outs[0].summary
    if len(outs) > 1:
        parts = "\n\n".join(f"{i + 1}. {o.summary}" for i, o in enumerate(outs))
        try:
            overall = llm.complete(
                prompts.system, f"{parts}\n\n{prompts.overall}", OverallOut, max_tokens=700
            )
            title, summary = overall.title, overall.summary
        except LLMOutputError as exc:
            failures.append(f"overall summary: {exc.problem}")
            summary = " ".join(o.summary for o in outs)
    decisions, questions = _merge_points(decisions, settings), _merge_points(questions, settings)
    actions = _merge_actions(actions, settings)
    progress("minutes: merging", 1.0)
    timings["merging"] = time.perf_counter() - started

    return Minutes(
        language=language,
        title=title.strip(),
        summary=summary.strip(),
        topics=tuple(_merge_topics(topics)),
        decisions=tuple(decisions),
        action_items=tuple(actions),
        open_questions=tuple(questions),
        grounding=ledger.report(),
        llm=llm.name,
        notice="; ".join(failures) or None,
        source=transcript.source,
        duration=transcript.duration,
        speakers=names,
        metadata={
            "pieces": len(pieces),
            "action_items_from": "piece pass" if lists else "focused pass",
            "timings": {k: round(v, 2) for k, v in timings.items()},
            "usage": llm.usage.since(usage_before).as_dict(),
        },
    )


def _topics(found: Sequence[TopicOut], piece: list[Segment], grounder: Grounder) -> list[Topic]:
    """Each topic runs from the line it starts at to the next topic's start (or the piece's end)."""
    starts: dict[int, str] = {}
    for t in found:
        located = grounder.locate(t.quote)
        title = t.title.strip()
        if located and title and title.casefold() not in {v.casefold() for v in starts.values()}:
            starts.setdefault(piece.index(located[0]), title)  # small models repeat themselves
    if not starts:
        return []
    firsts = sorted(starts)
    titles = [starts[i] for i in firsts]
    firsts[0] = 0  # the first topic opens the piece
    topics = []
    for first, stop, title in zip(firsts, [*firsts[1:], len(piece)], titles, strict=True):
        span = Span.of(piece[first:stop])
        topics.append(Topic(span.start, span.end, title=title, segment_ids=span.segment_ids))
    return topics


def _points(kind: str, found: Sequence[ClaimOut], grounder: Grounder, ledger: Ledger) -> list[Point]:
    return [p for c in found if (p := grounder.point(kind, c.text, c.quote, ledger)) is not None]


def _fuse(vectors: np.ndarray, same_group: Callable[[int, int], bool]) -> dict[int, list[int]]:
    """Groups of near-duplicate items: first index -> all indexes."""
    groups: dict[int, list[int]] = {}
    for i, j in enumerate(near_duplicates(vectors, DUPLICATE_SIMILARITY)):
        target = j if same_group(i, j) else i
        groups.setdefault(target, []).append(i)
    return groups


def _merge_points(points: list[Point], settings: Settings) -> list[Point]:
    if len(points) < 2:
        return points
    groups = _fuse(embed([p.text for p in points], settings), lambda i, j: True)
    return [
        replace(points[first], spans=_spans(points[i].spans for i in members))
        for first, members in groups.items()
    ]


def _merge_actions(actions: list[ActionItem], settings: Settings) -> list[ActionItem]:
    if len(actions) < 2:
        return actions
    vectors = embed([a.task for a in actions], settings)
    groups = _fuse(
        vectors, lambda i, j: (actions[i].owner or "").casefold() == (actions[j].owner or "").casefold()
    )
    merged = []
    for first, members in groups.items():
        due = next((actions[i].due for i in members if actions[i].due), None)
        merged.append(replace(actions[first], due=due, spans=_spans(actions[i].spans for i in members)))
    return merged


def _spans(span_lists) -> tuple[Span, ...]:
    unique: dict[tuple[int, ...], Span] = {}
    for spans in span_lists:
        for s in spans:
            unique.setdefault(s.segment_ids, s)
    return tuple(sorted(unique.values(), key=lambda s: s.start))


def _merge_topics(topics: list[Topic]) -> list[Topic]:
    """Consecutive topics with the same title (a topic cut in two by a piece boundary) become one."""
    merged: list[Topic] = []
    for t in sorted(topics, key=lambda t: t.start):
        if merged and merged[-1].title.casefold() == t.title.casefold():
            last = merged[-1]
            merged[-1] = Topic(
                last.start,
                max(last.end, t.end),
                title=last.title,
                segment_ids=last.segment_ids + t.segment_ids,
            )
        else:
            merged.append(t)
    return merged


# -- without a model ---------------------------------------------------------------------------
def extractive_minutes(
    transcript: Transcript,
    language: str,
    settings: Settings | None = None,
    *,
    notice: str | None = None,
    progress: ProgressCallback | None = None,
) -> Minutes:
    """Key passages only: the segments closest to the meaning of the whole meeting, kept diverse."""
    settings = settings or get_settings()
    progress = progress or (lambda stage, fraction: None)
    progress("minutes: key passages", 0.0)
    segments = [s for s in transcript.segments if len(s.text.split()) >= 5] or list(transcript.segments)
    vectors = embed([s.text for s in segments], settings)
    chosen = _diverse_central(vectors, KEY_PASSAGES)
    passages = tuple(Passage(segments[i].text.strip(), Span.of([segments[i]])) for i in sorted(chosen))
    progress("minutes: key passages", 1.0)
    names = speaker_names(transcript)
    return Minutes(
        language=language,
        title=Path(transcript.source).stem if transcript.source else "",
        summary=" […] ".join(p.text for p in passages),
        key_passages=passages,
        notice=notice,
        source=transcript.source,
        duration=transcript.duration,
        speakers=names,
    )


def _diverse_central(vectors: np.ndarray, k: int, diversity: float = 0.5) -> list[int]:
    """Maximal marginal relevance: close to the centroid, far from what is already chosen."""
    centroid = vectors.mean(axis=0)
    relevance = vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
    chosen: list[int] = []
    while len(chosen) < min(k, len(vectors)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(vectors))
        score = (1 - diversity) * relevance - diversity * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen
