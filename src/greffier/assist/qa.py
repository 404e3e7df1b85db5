"""Questions about a meeting, answered from its transcript only.

The transcript is cut into passages of a few consecutive segments, embedded with the multilingual
sentence encoder; the passages closest to the question are shown to the model, which answers with
the transcript line it rests on as a quote (constrained to lines that exist). The answer is kept
only if the quote is found in those passages and the answer shares a word with it (`grounding`);
otherwise, or when the model says the passages do not answer, it is "not said in this meeting".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

from greffier.assist import chunks
from greffier.assist.embed import embed
from greffier.assist.grounding import MIN_QUOTE_WORDS, Grounder, Ledger
from greffier.assist.llm import LLM, LLMOutputError, LLMUnavailable, load_llm
from greffier.assist.prompts import prompts_for, user_message
from greffier.assist.types import Answer, Passage, Span, speaker_names
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


def _localized(messages: dict[str, str], language: str) -> str:
    return messages.get(language.split("-")[0].lower(), messages["en"])


def not_said(language: str) -> str:
    return _localized(NOT_SAID, language)


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
    try:
        model = llm or load_llm(settings)
    except LLMUnavailable as exc:
        return Answer(
            question, _localized(NO_MODEL, language), found=False, notice=str(exc), passages=passages
        )
    names = speaker_names(transcript)
    scope = [s for p in hits for s in p]
    prompts = prompts_for(language)
    script = f"({', '.join(names.values())})\n" + "\n[...]\n".join(
        chunks.format_script(p, names) for p in hits
    )
    user = user_message(prompts, script, f"{prompts.question}: {question}\n\n{prompts.answer}")
    try:
        constrained = chunks.constrained_schema(AnswerOut, chunks.quotable(scope, MIN_QUOTE_WORDS))
        out = model.complete(prompts.system, user, AnswerOut, 400, constrained)
    except LLMOutputError as exc:
        return Answer(
            question, not_said(language), found=False, llm=model.name, notice=exc.problem, passages=passages
        )
    if not out.answered:
        return Answer(question, not_said(language), found=False, llm=model.name, passages=passages)
    ledger = Ledger()
    point = Grounder(transcript, scope).point("answer", out.answer, out.quote, ledger, min_words=1)
    if point is None:
        reason = ledger.rejected[0].reason
        return Answer(
            question,
            not_said(language),
            found=False,
            llm=model.name,
            passages=passages,
            notice=f"the model's answer {out.answer!r} was dropped: {reason}",
        )
    return Answer(
        question,
        out.answer.strip(),
        found=True,
        spans=point.spans,
        quote=point.quote,
        llm=model.name,
        passages=passages,
    )
