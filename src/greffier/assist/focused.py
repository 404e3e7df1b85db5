"""The focused pass of the minutes: action items, decisions and open questions, one short question each.

The piece pass reads the whole transcript and writes title, summary, topics and decisions. Action
items and open questions come from here instead, and decisions from here too: `assist/candidates.py`
picks the sentences that may be commitments, decisions or open questions by a cheap rule, and the
model only fills in, for each one, the task and due date (the owner comes from the rule: the
speaker), the decision or the question, reading the sentence with the turn before it (commitments,
decisions) or the turns after it (questions). The answers are short (a few dozen tokens) and side
by side (one `LLM.complete_all`), so this costs less than the lists it replaces in the piece pass.
Every claim is grounded as before (`grounding.Grounder`). A decision of the piece pass that repeats
a focused one, or restates an action item, is retracted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from greffier.assist import candidates, chunks
from greffier.assist.candidates import Candidate, Sentence
from greffier.assist.grounding import MIN_QUOTE_WORDS, Grounder, Ledger, content_words
from greffier.assist.llm import LLM, LLMOutputError
from greffier.assist.prompts import Prompts, user_message
from greffier.assist.types import ActionItem, Point
from greffier.transcript import Segment

CONTEXT_SENTENCES = 3
"""Sentences shown with a candidate: the last ones before it (commitments, decisions), the first
ones after it (questions)."""
MAX_TOKENS = 120
REPEATED = 0.6
"""Share of a decision's content words found in another claim (text, owner, quote) above which the
decision repeats it (the piece pass files a task as a decision too)."""
RESTATES_ACTION = "decision restating an action item"
REPEATS_DECISION = "decision repeating a focused one"


class CommitmentOut(BaseModel):
    task: str = Field(max_length=160)
    due: str | None = Field(max_length=60, description="deadline exactly as said, else null")


class TextOut(BaseModel):
    text: str = Field(max_length=240)


class FocusedOut(BaseModel):
    """Any focused answer: `task` and `due` (a commitment, `CommitmentOut`) or `text` (`TextOut`)."""

    task: str | None = None
    due: str | None = None
    text: str | None = None


@dataclass
class Focused:
    action_items: list[ActionItem] = field(default_factory=list)
    decisions: list[Point] = field(default_factory=list)
    open_questions: list[Point] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _script(sentences: Sequence[Sentence]) -> str:
    return chunks.format_turns((s.owner, s.text) for s in sentences)


def _quote(sentence: Sentence) -> str:
    return sentence.text if len(sentence.text.split()) >= MIN_QUOTE_WORDS else sentence.segment.text


def request(kind: str, candidate: Candidate, prompts: Prompts) -> tuple[str, dict[str, Any]]:
    """The user message and JSON schema for one candidate of `kind` (action, decision, open question)."""
    sentence = candidate.sentence.text
    if kind == "open question":
        shown = [candidate.sentence, *candidate.context[:CONTEXT_SENTENCES]]
        return user_message(prompts, _script(shown), prompts.open_question.format(sentence=sentence)), _CLAIM
    shown = [*candidate.context[-CONTEXT_SENTENCES:], candidate.sentence]
    if kind == "decision":
        return user_message(prompts, _script(shown), prompts.decision.format(sentence=sentence)), _CLAIM
    task = prompts.commitment.format(sentence=sentence, who=candidate.owner or prompts.someone)
    return user_message(prompts, _script(shown), task), _COMMITMENT


_CLAIM = TextOut.model_json_schema()
_COMMITMENT = CommitmentOut.model_json_schema()


def focused_claims(
    llm: LLM,
    prompts: Prompts,
    segments: Sequence[Segment],
    names: dict[str, str],
    piece_decisions: Sequence[Point],
    grounder: Grounder,
    ledger: Ledger,
) -> Focused:
    """Action items, decisions and open questions of the candidates, grounded; `piece_decisions`
    (those of the piece pass) settle questions asked before them and are kept unless repeated."""
    decided = candidates.decisions(segments, names)
    later = [(d.spans[0].start, d.text) for d in piece_decisions]
    later += [(c.sentence.segment.start, c.sentence.text) for c in decided]
    questions = [
        c
        for c in candidates.open_questions(segments, names)
        if not candidates.answered_by(
            c.sentence, [t for start, t in later if start >= c.sentence.segment.end]
        )
    ]
    asked = [("action", c) for c in candidates.commitments(segments, names)]
    asked += [("decision", c) for c in decided] + [("open question", c) for c in questions]
    answers = llm.complete_all(
        prompts.system, [request(kind, c, prompts) for kind, c in asked], FocusedOut, MAX_TOKENS
    )
    found = Focused()
    for (kind, candidate), out in zip(asked, answers, strict=True):
        if isinstance(out, LLMOutputError):
            found.failures.append(f"{kind}: {out.problem}")
            continue
        quote = _quote(candidate.sentence)
        if kind == "action":
            item = grounder.action(out.task or "", candidate.owner, out.due, quote, ledger)
            found.action_items += [item] if item else []
        else:
            point = grounder.point(kind, out.text or "", quote, ledger)
            (found.decisions if kind == "decision" else found.open_questions).extend([point] if point else [])
    kept = _without_repeats(piece_decisions, found.decisions, REPEATS_DECISION, ledger)
    found.decisions = sorted([*found.decisions, *kept], key=lambda d: d.spans[0].start)
    found.decisions = without_restated_actions(found.decisions, found.action_items, ledger)
    return found


def without_restated_actions(
    decisions: Sequence[Point], actions: Sequence[ActionItem], ledger: Ledger
) -> list[Point]:
    """`decisions` less those that restate one of `actions` (retracted from `ledger`)."""
    return _without_repeats(decisions, actions, RESTATES_ACTION, ledger)


def repeats(decision: Point, claims: Sequence[ActionItem | Point]) -> bool:
    """Whether `decision` says again one of `claims` (a decision, or an action item filed as one)."""
    words = content_words(decision.text)
    return bool(words) and any(len(words & content_words(_said(c))) >= REPEATED * len(words) for c in claims)


def _said(claim: ActionItem | Point) -> str:
    if isinstance(claim, ActionItem):
        return f"{claim.task} {claim.owner or ''} {claim.quote}"
    return f"{claim.text} {claim.quote}"


def _without_repeats(
    decisions: Sequence[Point], claims: Sequence[ActionItem | Point], reason: str, ledger: Ledger
) -> list[Point]:
    kept = []
    for d in decisions:
        if repeats(d, claims):
            ledger.retract("decision", d.text, reason)
        else:
            kept.append(d)
    return kept
