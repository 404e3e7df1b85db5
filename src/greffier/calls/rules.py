"""Reading one transcript segment: clauses, who speaks about whom, and the facts the lexicon finds.

A segment is cleaned (fillers, stutters and truncated words removed, numbers as digits), cut into
clauses, and each clause typed: a statement, a question (a regulator's yes/no question becomes a
fact only once the caller answers it), a conditional ("si il perd connaissance, rappelez") or
advice, which state nothing. The regulator's opening summary ("vous appelez pour votre fils de neuf
mois qui ne respire plus, c'est bien ça ?") counts as a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from greffier.calls import lexicon as lx
from greffier.calls.numbers import normalize
from greffier.text import QUESTION_LOCUTION, QUESTION_WORDS, TRUNCATED, drop_zero_width

_STUTTER = re.compile(r"\b([\w']+)(?:\s+\1\b)+")
_CONFIRMATION = re.compile(
    r"c'est (?:bien )?(?:ça|cela)\s*\??\s*$|c'est ce qu'on m'a dit\s*\??\s*$|c'est exact\s*\??\s*$"
)
_QUESTION_START = re.compile(rf"^(?:et )?(?:{QUESTION_WORDS}|a-t-il|a-t-elle)|{QUESTION_LOCUTION}")
_CONDITIONAL = re.compile(
    r"\b(?:sauf )?si (?:il|elle|ils|elles|ça|vous|on|jamais|votre|la|le|les|y|jamais)\b|\bs'ils?\b"
    r"|\ben cas d|\bau cas où|\bn'hésitez pas"
)
_NEGATION = re.compile(r"\b(?:pas|jamais|aucune?|sans|ni|non plus)\b|\bn'(?!est\b)")
_FIRST_PERSON = re.compile(
    r"\bj'(?:ai|avais|étais|suis|aurais)\b|\bje (?:suis|me|m'|tousse|vomis|saigne|respire|fume|prends|fais|sens|souffre)\b"
    r"|\bmoi\b|\b(?:mon|ma|mes) (?:" + "|".join(lx.PAIN_SITES.values()) + r")\b|\bm'a fait mal"
)
_SECOND_PERSON = re.compile(
    r"\bvous (?:avez (?!trouvé|vu|appelé|dit|essayé|entendu|bien fait)|êtes (?!témoin|avec|à côté|sur place|chez)"
    r"|prenez|fumez|toussez|sentez|vomissez|saignez|respirez|souffrez)"
    r"|\bvotre (?:" + "|".join(lx.PAIN_SITES.values()) + r")\b"
)
_THIRD_PERSON = re.compile(
    r"\b(?:il|elle|lui|son|sa|ses)\b|\b(?:votre|mon|ma|vos|mes) (?:"
    + "|".join(f"(?:{rx})" for rx in lx.RELATION_WORDS.values())
    + r")\b"
)

YES = re.compile(
    r"^(?:\w+ ){0,3}?(?:oui|ouais|si|voilà|exactement|tout à fait|bien sûr|effectivement|c'est ça|un peu|d'accord)\b"
)
NO = re.compile(r"^(?:\w+ ){0,5}?(?:non|nan|pas du tout|jamais|aucun|me semble pas|crois pas|pense pas)\b")
UNSURE = re.compile(
    r"^(?:\w+ ){0,2}?(?:je sais pas|j'sais pas|sais pas|pardon|quoi|comment|je regarde|attendez)\b"
)


@dataclass(frozen=True)
class Clause:
    text: str
    kind: str
    """'statement', 'question', 'conditional'."""
    negated_question: bool = False


@dataclass(frozen=True)
class Hit:
    pattern: lx.Pattern
    clause: Clause
    quote: str
    person: str
    """'speaker' (first person in the caller's words, second person in the regulator's), or 'other'."""
    negated: bool


def clean(text: str) -> str:
    """Lower case, without fillers, truncated words ('poit- poitrine') and stutters ('il il'); numbers from 3 as digits."""
    text = TRUNCATED.sub("", drop_zero_width(text.lower()))
    text = _STUTTER.sub(r"\1", re.sub(r"\s+", " ", text))
    return _STUTTER.sub(r"\1", normalize(text, threshold=3)).strip()


def clauses(text: str) -> list[Clause]:
    """Cut a cleaned segment into typed clauses."""
    cleaned = clean(text)
    summary = bool(_CONFIRMATION.search(cleaned))
    out = []
    for raw in re.findall(r"[^.?!;]+[.?!;]?", cleaned):
        part = raw.strip(" ,")
        if not part.strip(".?!;"):
            continue
        body = part.rstrip(".?!;").strip()
        if summary:
            kind = "statement"
        elif part.endswith("?") or _QUESTION_START.search(body):
            kind = "question"
        else:
            kind = "statement"
        if kind == "statement" and _CONDITIONAL.search(body) and not summary:
            kind = "conditional"
        negated = kind == "question" and bool(re.search(r"\b(?:ne|n')\b|\bpas\b|\bplus\b", body))
        out.append(Clause(body, kind, negated))
    return out


def hits(clause: Clause, patterns: tuple[lx.Pattern, ...], speaker_is_regulator: bool) -> list[Hit]:
    found = []
    for pattern in patterns:
        if pattern.caller_only and speaker_is_regulator:
            continue
        for m in pattern.regex.finditer(clause.text):
            if pattern.exclude and pattern.exclude.search(clause.text):
                break
            before = clause.text[: m.start()]
            if _CONDITIONAL.search(before[-40:]):
                continue
            window = " ".join(before.split()[-5:])
            negated = pattern.negatable and bool(_NEGATION.search(window))
            found.append(
                Hit(
                    pattern,
                    clause,
                    m.group().strip(),
                    _person(clause.text, m.start(), speaker_is_regulator),
                    negated,
                )
            )
            break
    return found


def _person(text: str, position: int, speaker_is_regulator: bool) -> str:
    """Whom a fact is about: the person speaking on the phone ('speaker') or someone else ('other').

    The nearest marker before the fact wins; with none in the clause, the fact is about the patient.
    """
    before = text[: position + 1]
    mine = _SECOND_PERSON if speaker_is_regulator else _FIRST_PERSON
    last_mine = max((m.end() for m in mine.finditer(before)), default=-1)
    last_other = max((m.end() for m in _THIRD_PERSON.finditer(before)), default=-1)
    return "speaker" if last_mine > last_other else "other"


def answer(text: str) -> str | None:
    """'yes', 'no' or None for a caller's reply to a yes/no question."""
    cleaned = clean(text)
    if UNSURE.search(cleaned):
        return None
    if NO.search(cleaned):
        return "no"
    if YES.search(cleaned):
        return "yes"
    return None
