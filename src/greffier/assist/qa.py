"""Questions about a meeting, answered from its transcript only.

The transcript is cut into passages of a few consecutive segments, embedded with the multilingual
sentence encoder; the passages closest to the question are shown to the model, which answers with
the transcript line it rests on as a quote (constrained to lines that exist). The answer is kept
only if the quote is found in those passages and the answer shares a word with it (`grounding`);
otherwise, or when the model says the passages do not answer, it is "not said in this meeting".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from greffier.assist import chunks
from greffier.assist.embed import embed
from greffier.assist.grounding import MIN_QUOTE_WORDS, Grounder, Ledger
from greffier.assist.llm import LLM, LLMOutputError, LLMUnavailable, load_llm
from greffier.assist.prompts import prompts_for, user_message
from greffier.assist.types import Answer, Passage, Point, Span, speaker_names
from greffier.config import Settings, get_settings
from greffier.transcript import Segment, Transcript

PASSAGE_WORDS = 80
TOP_K = 5

NOT_SAID = {
    "fr": "Ce n'est pas dit dans cette réunion.",
    "en": "Not said in this meeting.",
}


NO_MODEL = {
    "fr": "Aucun modèle de langue disponible : voici les passages les plus proches de la question.",
    "en": "No language model available: here are the passages closest to the question.",
}


def localized(messages: dict[str, str], language: str) -> str:
    return messages.get(language.split("-")[0].lower(), messages["en"])


def not_said(language: str) -> str:
    return localized(NOT_SAID, language)


class AnswerOut(BaseModel):
    answer: str = Field(max_length=300)
    quote: str = Field(description="the sentence of the passages that answers, copied exactly")
    answered: bool = Field(description="true only if the passages answer the question")


@dataclass(frozen=True)
class PassageIndex:
    """Passages of consecutive segments and their sentence embeddings."""

    passages: tuple[tuple[Segment, ...], ...]
    vectors: np.ndarray

    @classmethod
    def build(cls, transcript: Transcript, settings: Settings | None = None) -> PassageIndex:
        passages: list[tuple[Segment, ...]] = []
        current: list[Segment] = []
        for s in transcript.segments:
            if not s.text.strip():
                continue
            current.append(s)
            if sum(len(c.text.split()) for c in current) >= PASSAGE_WORDS:
                passages.append(tuple(current))
                current = []
        if current:
            passages.append(tuple(current))
        texts = [" ".join(s.text for s in p) for p in passages]
        return cls(tuple(passages), embed(texts, settings))

    def search(
        self, question: str, k: int = TOP_K, settings: Settings | None = None
    ) -> list[tuple[Segment, ...]]:
        """The k passages closest to the question, in transcript order."""
        if not self.passages:
            return []
        scores = self.vectors @ embed([question], settings)[0]
        best = sorted(np.argsort(-scores)[:k].tolist())
        return [self.passages[i] for i in best]


@dataclass(frozen=True)
class Source:
    """What the model reads of one transcript: some of its passages, under a heading (a meeting's
    title, when passages of several meetings are shown together)."""

    transcript: Transcript
    passages: tuple[tuple[Segment, ...], ...]
    heading: str | None = None


@dataclass(frozen=True)
class Grounded:
    """The model's answer to a question over some `Source`s, checked (`grounding`): `point` and the
    index of the source it rests on when it holds; otherwise `notice` says why, if anything does."""

    llm: str | None
    point: Point | None = None
    source: int = 0
    notice: str | None = None
    unavailable: bool = False
    """No model could run: `notice` says why."""

    def fields(self, not_said: str, language: str) -> dict[str, Any]:
        """The fields of an answer (`Answer`, `across.AcrossAnswer`) that follow: `answer`, `found`,
        and `spans`, `quote`, `llm`, `notice` where there are some; `not_said` is the reply when the
        passages do not answer."""
        if self.unavailable:
            return {"answer": localized(NO_MODEL, language), "found": False, "notice": self.notice}
        if self.point is None:
            return {"answer": not_said, "found": False, "llm": self.llm, "notice": self.notice}
        point = self.point
        return {
            "answer": point.text,
            "found": True,
            "spans": point.spans,
            "quote": point.quote,
            "llm": self.llm,
        }


def _script(source: Source) -> str:
    names = speaker_names(source.transcript)
    script = f"({', '.join(names.values())})\n" + "\n[...]\n".join(
        chunks.format_script(p, names) for p in source.passages
    )
    return f"## {source.heading}\n{script}" if source.heading else script


def answer_from(
    question: str, sources: Sequence[Source], language: str, settings: Settings, llm: LLM | None = None
) -> Grounded:
    """The model answers `question` from the passages of `sources` only, quoting one of their
    segments; the answer holds when the quote (or its neighbours) grounds it in one source."""
    try:
        model = llm or load_llm(settings)
    except LLMUnavailable as exc:
        return Grounded(None, notice=str(exc), unavailable=True)
    scopes = [[s for p in source.passages for s in p] for source in sources]
    prompts = prompts_for(language)
    script = "\n\n".join(_script(source) for source in sources)
    user = user_message(prompts, script, f"{prompts.question}: {question}\n\n{prompts.answer}")
    quotable = chunks.quotable([s for scope in scopes for s in scope], MIN_QUOTE_WORDS)
    try:
        out = model.complete(
            prompts.system, user, AnswerOut, 400, chunks.constrained_schema(AnswerOut, quotable)
        )
    except LLMOutputError as exc:
        return Grounded(model.name, notice=exc.problem)
    if not out.answered:
        return Grounded(model.name)
    grounders = [Grounder(source.transcript, scope) for source, scope in zip(sources, scopes, strict=True)]
    # the source holding the quote first: the others may only ground it by their own words
    order = sorted(range(len(sources)), key=lambda i: grounders[i].locate(out.quote) is None)
    ledger = Ledger()
    for i in order:
        point = grounders[i].point("answer", out.answer, out.quote, ledger, min_words=1)
        if point is not None:
            return Grounded(model.name, point, i)
    reason = ledger.rejected[0].reason  # every grounder dropped it
    return Grounded(model.name, notice=f"the model's answer {out.answer!r} was dropped: {reason}")


def ask(
    transcript: Transcript,
    question: str,
    *,
    settings: Settings | None = None,
    language: str | None = None,
    llm: LLM | None = None,
    index: PassageIndex | None = None,
) -> Answer:
    """Answer `question` from `transcript`, with the spans it rests on, or say it was not said.

    `index` (from `PassageIndex.build`) can be reused across questions on the same transcript.
    """
    settings = settings or get_settings()
    language = language or transcript.language
    index = index or PassageIndex.build(transcript, settings)
    hits = index.search(question, settings=settings)
    passages = tuple(Passage(" ".join(s.text.strip() for s in p), Span.of(p)) for p in hits)
    grounded = answer_from(question, [Source(transcript, tuple(hits))], language, settings, llm)
    return Answer(question, passages=passages, **grounded.fields(not_said(language), language))
