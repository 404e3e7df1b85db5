"""Which sentences of a meeting may be commitments or open questions: a cheap rule, no model.

The focused pass of the minutes (`assist/focused.py`) asks the model only about these sentences, and
takes their owner from the rule, not from the model:
- a **commitment** is a sentence, not negated and not an introduction ("je suis…", "I'm…"), where
  the speaker commits in the first person: French "je/j' + verb" other than a verb of opinion or
  state ("j'organise", "je signe", "je vais envoyer"), English "I will / I'll / I'm going to / I shall /
  let me"; or where the speaker, named in the previous turn, answers "oui"/"yes"/"d'accord"… with a
  future or a date ("Julien, tu fais… ?" — "Oui, ce sera installé avant le 28 août"). The owner is
  the speaker. A "nous"/"we" commitment in the future with a date has no single owner (None);
- an **open question** is a question (a "?" or the word "question") that says it stays open
  ("reste ouverte", "still open") or is followed, in the next turns of others, by a deferral ("pas encore",
  "prochaine réunion", "not yet", "next meeting"…). Whether a later decision answers it is checked
  once the decisions are known (`answered_by`).
- a **decision** is a statement, not negated nor a hypothesis, that says something was decided ("c'est
  décidé", "nous choisissons", "nous retenons", "on part sur", "we agreed", "decided", "let's go with").
French and English are written out (the languages measured, `knows`); for other languages the piece
pass of the minutes lists action items and open questions instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from greffier.assist.grounding import content_words, looks_like_date, tokens, word_set
from greffier.transcript import Segment

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")

FIRST_PERSON = frozenset({"je", "j"})
OBJECT_PRONOUNS = frozenset(
    {"me", "m", "te", "t", "le", "la", "les", "l", "lui", "leur", "en", "y", "vous", "nous"}
)
OPINION_VERBS = word_set(
    """
    suis ai avais etais serai aurais pense crois trouve sais savais vois voyais veux voulais voudrais
    dirais dis disais comprends imagine espere rappelle souviens demande trouvais pensais croyais
    aime adore prefere entends sens reconnais doute avoue
    """
)
"""After "je", verbs that state an opinion or a state, not something the speaker will do."""
ENGLISH_COMMITMENT = (("i", "will"), ("i", "ll"), ("i", "shall"), ("let", "me"), ("i", "m", "going", "to"),
                      ("i", "am", "going", "to"))  # fmt: skip
GROUP_FUTURE = (("nous", "allons"), ("on", "va"), ("we", "will"), ("we", "ll"), ("we", "are", "going", "to"),
                ("we", "re", "going", "to"), ("we", "shall"))  # fmt: skip
INTRODUCTION = (("je", "suis"), ("je", "m", "appelle"), ("i", "am"), ("i", "m"), ("my", "name"))
NEGATIONS = frozenset({"pas", "jamais", "not", "never", "cannot", "t"})
""""t" is what is left of "won't", "don't" once normalised."""
YES = frozenset({"oui", "ouais", "accord", "ok", "okay", "yes", "yeah", "sure", "entendu", "volontiers"})
FUTURE_WORDS = word_set(
    """
    sera seront serai serons ferai fera ferons feront aura auront aurai pourra vais va allons vont
    will ll shall going gonna
    """
)
_FRENCH_FUTURE = re.compile(r"^\w{2,}(?:[aeiurd])(?:rai|rons|ront|rez)$")
"""serons, trancherons, pourront, viendrai; not ouvrons, entrez, vrai (present tense or no verb)."""
CONDITIONAL = frozenset({"si", "if", "unless"})
DEADLINE_WORDS = frozenset({"avant", "ici", "jusqu", "before", "until", "till", "deadline", "by"})
QUESTION_WORDS = frozenset({"question", "questions"})
STILL_OPEN = (("reste", "ouverte"), ("restent", "ouvertes"), ("en", "suspens"), ("still", "open"),
              ("remains", "open"), ("open", "question"), ("to", "be", "decided"), ("a", "trancher"),
              ("pas", "tranche"))  # fmt: skip
DEFERRALS = (("pas", "encore"), ("prochaine", "reunion"), ("a", "trancher"), ("trancherons",), ("not", "yet"),
             ("next", "meeting"), ("to", "be", "decided"))  # fmt: skip
"""Said by someone else after a question: it is left for later."""
DECISION_WORDS = word_set(
    """
    decidons decidee choisissons retenons convenu convenons validons adoptons decided agreed settled approved
    """
)
DECISION_PHRASES = (("c", "est", "decide"), ("a", "decide"), ("avons", "decide"), ("ont", "decide"),
                    ("va", "pour"), ("on", "part", "sur"), ("partons", "sur"), ("go", "with"))  # fmt: skip
FOLLOWING_TURNS = 3
"""How many turns after a question are read for a deferral."""
LANGUAGES = frozenset({"fr", "en"})
"""The languages the rule is written for."""


def knows(language: str | None) -> bool:
    """Whether the rule is written for `language` ("fr", "en-GB"…; None or "" for an unknown one)."""
    return (language or "").split("-")[0].strip().lower() in LANGUAGES


@dataclass(frozen=True)
class Sentence:
    text: str
    segment: Segment
    owner: str | None
    """Who speaks it (the speaker's name), None when the transcript has no speakers."""


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    owner: str | None
    """Who commits (commitments; None for a "nous"/"we" one), who asks (questions); None for decisions."""
    context: tuple[Sentence, ...]
    """The sentences shown with it: the previous turn (commitments), the sentences before it in its turn
    and the previous one (decisions), the next turns (questions)."""


def _has(words: list[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


def _turns(segments: Sequence[Segment], names: dict[str, str]) -> list[list[Sentence]]:
    """Sentences grouped by speaker turn (consecutive segments of one speaker)."""
    turns: list[list[Sentence]] = []
    previous: object = object()
    for s in segments:
        owner = names.get(s.speaker, s.speaker) if s.speaker else None
        sentences = [Sentence(t, s, owner) for t in _SENTENCE_END.split(s.text.strip()) if t.strip()]
        if not sentences:
            continue
        if turns and s.speaker == previous:
            turns[-1] += sentences
        else:
            turns.append(sentences)
        previous = s.speaker
    return turns


def first_person_commitment(words: list[str]) -> bool:
    """ "je/j' + verb" (not one of opinion or state), or "I will / I'll / I'm going to / let me"."""
    if any(_has(words, p) for p in ENGLISH_COMMITMENT):
        return True
    for i, w in enumerate(words):
        if w in FIRST_PERSON:
            rest = [v for v in words[i + 1 : i + 4] if v not in OBJECT_PRONOUNS and v != "ne" and v != "n"]
            if rest and rest[0] not in OPINION_VERBS:
                return True
    return False


def says_future_or_date(text: str, words: list[str]) -> bool:
    return (
        bool(FUTURE_WORDS.intersection(words))
        or any(_FRENCH_FUTURE.match(w) for w in words)
        or bool(DEADLINE_WORDS.intersection(words))
        or looks_like_date(text)
    )


def _says_yes(words: list[str]) -> bool:
    """Opens with "oui", "yes", "d'accord"…"""
    return bool(words) and (words[0] in YES or words[:2] == ["d", "accord"])


def _negated(words: list[str]) -> bool:
    return bool(NEGATIONS.intersection(words))


def _introduction(words: list[str]) -> bool:
    return any(_has(words, p) for p in INTRODUCTION) and not _has(words, ("going", "to"))


def _named_in(owner: str | None, turn: Sequence[Sentence]) -> bool:
    if not owner:
        return False
    said = set(tokens(" ".join(s.text for s in turn)))
    return bool(set(tokens(owner)) & said)


def commitment_owner(
    sentence: Sentence, previous_turn: Sequence[Sentence], answers_yes: bool
) -> tuple[bool, str | None]:
    """Whether `sentence` is a commitment candidate, and its owner; `answers_yes`: it is (or follows)
    the "oui"/"yes" that opens its turn."""
    words = tokens(sentence.text)
    if not words or words[0] in CONDITIONAL or _negated(words) or _introduction(words):
        return False, None
    if first_person_commitment(words):
        return True, sentence.owner
    if answers_yes and _named_in(sentence.owner, previous_turn):
        return says_future_or_date(sentence.text, words), sentence.owner
    group = any(_has(words, p) for p in GROUP_FUTURE) or (
        bool({"nous", "we"} & set(words)) and any(_FRENCH_FUTURE.match(w) for w in words)
    )
    return group and looks_like_date(sentence.text), None


def commitments(segments: Sequence[Segment], names: dict[str, str]) -> list[Candidate]:
    """The sentences that may be commitments, each with its owner and the previous turn."""
    found: list[Candidate] = []
    turns = _turns(segments, names)
    for t, turn in enumerate(turns):
        previous = turns[t - 1] if t else []
        for i, sentence in enumerate(turn):
            first = tokens(turn[0].text)
            # a turn opening with "oui", or "Oui." alone then the answer
            answers_yes = _says_yes(first) and (i == 0 or (i == 1 and len(first) <= 2))
            ok, owner = commitment_owner(sentence, previous, answers_yes)
            if ok:
                found.append(Candidate(sentence, owner, tuple(previous)))
    return found


def decisions(segments: Sequence[Segment], names: dict[str, str]) -> list[Candidate]:
    """Statements (not questions, negations or hypotheses) that say something was decided."""
    found: list[Candidate] = []
    turns = _turns(segments, names)
    for t, turn in enumerate(turns):
        before = [*(turns[t - 1] if t else []), *turn]
        for i, sentence in enumerate(turn):
            words = tokens(sentence.text)
            if not words or "?" in sentence.text or CONDITIONAL.intersection(words) or _negated(words):
                continue
            if DECISION_WORDS.intersection(words) or any(_has(words, p) for p in DECISION_PHRASES):
                found.append(Candidate(sentence, None, tuple(before[: len(before) - len(turn) + i])))
    return found


def open_questions(segments: Sequence[Segment], names: dict[str, str]) -> list[Candidate]:
    """Questions said to stay open, or followed by a deferral within the next turns."""
    found: list[Candidate] = []
    turns = _turns(segments, names)
    for t, turn in enumerate(turns):
        following = [s for later in turns[t + 1 : t + 1 + FOLLOWING_TURNS] for s in later]
        for i, sentence in enumerate(turn):
            words = tokens(sentence.text)
            if not ("?" in sentence.text or QUESTION_WORDS.intersection(words)):
                continue
            after = [*turn[i + 1 :], *following]
            if any(_has(words, p) for p in STILL_OPEN) or any(
                _has(tokens(s.text), p) for s in following for p in DEFERRALS
            ):
                found.append(Candidate(sentence, sentence.owner, tuple(after)))
    return found


def answered_by(question: Sentence, later_claims: Sequence[str]) -> bool:
    """Whether one of `later_claims` (decisions taken after the question) states at least half of
    the question's content words: the question was settled."""
    wanted = content_words(question.text) - QUESTION_WORDS
    return bool(wanted) and any(len(wanted & content_words(c)) * 2 >= len(wanted) for c in later_claims)
