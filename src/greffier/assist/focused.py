"""The focused pass of the minutes: action items and open questions, one short question each.

The piece pass reads the whole transcript and writes title, summary, topics and decisions. Action
items and open questions come from here instead: `assist/candidates.py` picks the sentences that may
be commitments or open questions by a cheap rule, and the model only fills in, for each one, the task
and due date (the owner comes from the rule: the speaker) or the question, reading the sentence with
the turn before it (commitments) or the turns after it (questions). The answers are short (a few
dozen tokens) and side by side (`LLM.complete_all`), so this costs less than the lists it replaces
in the piece pass. Every claim is grounded as before (`grounding.Grounder`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from greffier.assist import candidates
from greffier.assist.candidates import Candidate, Sentence
from greffier.assist.grounding import MIN_QUOTE_WORDS, RESTATES_ACTION, Grounder, Ledger, content_words
from greffier.assist.llm import LLM, LLMOutputError
from greffier.assist.prompts import Prompts, user_message
from greffier.assist.types import ActionItem, Point
from greffier.transcript import Segment

CONTEXT_SENTENCES = 3
"""Sentences of the turn before a commitment (its last ones) or after a question (its first ones) shown."""
MAX_TOKENS = 120
RESTATED = 0.6
"""Share of a decision's content words found in an action item (task, owner, quote) above which the
decision restates it (the piece pass files a task as a decision too)."""


class CommitmentOut(BaseModel):
    task: str = Field(max_length=160)
    due: str | None = Field(max_length=60, description="deadline exactly as said, else null")


class QuestionOut(BaseModel):
    question: str = Field(max_length=200)


def _script(sentences: Sequence[Sentence]) -> str:
    lines: list[str] = []
    previous: object = object()
    for s in sentences:
        if lines and s.owner == previous:
            lines[-1] += " " + s.text
        else:
            lines.append(f"{s.owner}: {s.text}" if s.owner else s.text)
        previous = s.owner
    return "\n".join(lines)


def _quote(sentence: Sentence) -> str:
    return sentence.text if len(sentence.text.split()) >= MIN_QUOTE_WORDS else sentence.segment.text


def commitment_request(candidate: Candidate, prompts: Prompts) -> str:
    shown = [*candidate.context[-CONTEXT_SENTENCES:], candidate.sentence]
    who = candidate.owner or prompts.someone
    task = prompts.commitment.format(sentence=candidate.sentence.text, who=who)
    return user_message(prompts, _script(shown), task)


def question_request(candidate: Candidate, prompts: Prompts) -> str:
    shown = [candidate.sentence, *candidate.context[:CONTEXT_SENTENCES]]
    task = prompts.open_question.format(sentence=candidate.sentence.text)
    return user_message(prompts, _script(shown), task)


def action_items(
    llm: LLM,
    prompts: Prompts,
    segments: Sequence[Segment],
    names: dict[str, str],
    grounder: Grounder,
    ledger: Ledger,
) -> tuple[list[ActionItem], list[str]]:
    """The grounded action items of the commitment candidates, and what failed."""
    found = candidates.commitments(segments, names)
    schema = CommitmentOut.model_json_schema()
    answers = llm.complete_all(
        prompts.system, [(commitment_request(c, prompts), schema) for c in found], CommitmentOut, MAX_TOKENS
    )
    items: list[ActionItem] = []
    failures: list[str] = []
    for candidate, out in zip(found, answers, strict=True):
        if isinstance(out, LLMOutputError):
            failures.append(f"action item: {out.problem}")
            continue
        item = grounder.action(out.task, candidate.owner, out.due, _quote(candidate.sentence), ledger)
        if item is not None:
            items.append(item)
    return items, failures


def open_questions(
    llm: LLM,
    prompts: Prompts,
    segments: Sequence[Segment],
    names: dict[str, str],
    decisions: Sequence[Point],
    grounder: Grounder,
    ledger: Ledger,
) -> tuple[list[Point], list[str]]:
    """The grounded open questions of the candidates that no later decision answers, and what failed."""
    found = [
        c
        for c in candidates.open_questions(segments, names)
        if not candidates.answered_by(
            c.sentence, [d.text for d in decisions if d.spans[0].start >= c.sentence.segment.end]
        )
    ]
    schema = QuestionOut.model_json_schema()
    answers = llm.complete_all(
        prompts.system, [(question_request(c, prompts), schema) for c in found], QuestionOut, MAX_TOKENS
    )
    points: list[Point] = []
    failures: list[str] = []
    for candidate, out in zip(found, answers, strict=True):
        if isinstance(out, LLMOutputError):
            failures.append(f"open question: {out.problem}")
            continue
        point = grounder.point("open question", out.question, _quote(candidate.sentence), ledger)
        if point is not None:
            points.append(point)
    return points, failures


def restates_an_action(decision: Point, items: Sequence[ActionItem]) -> bool:
    """Whether `decision` is one of `items` filed again as a decision."""
    words = content_words(decision.text)
    return bool(words) and any(
        len(words & content_words(f"{a.task} {a.owner or ''} {a.quote}")) >= RESTATED * len(words)
        for a in items
    )


def without_restated_actions(
    decisions: Sequence[Point], items: Sequence[ActionItem], ledger: Ledger
) -> list[Point]:
    """`decisions` less those that restate one of `items` (retracted from `ledger`)."""
    kept = []
    for d in decisions:
        if restates_an_action(d, items):
            ledger.retract("decision", d.text, RESTATES_ACTION)
        else:
            kept.append(d)
    return kept
