"""Check every claim a model proposes against the transcript before anyone sees it.

A claim comes with the segment it cites and a quote copied from it. It is kept only when:
- the quote is found (near-verbatim) in the part of the transcript the model read; its segments
  become the claim's span;
- the text of the claim shares a content word with the span (a quote taken from elsewhere fails);
  the segment before or after the quote may supply it (a decision is often a question and its answer);
- for an action item, the owner speaks in the span or is named in it;
- a due date is stated in the span.
When the quote fails, a segment stating every content word of the claim (2 at least; 1 for an
answer) may ground it instead: small models often cite the wrong line for a right answer.
Owner and date may rest on the segment right before or after the quote (e.g. "Paul, can you…?"
then "Yes, by Friday"): the span then grows to cover it. Whatever fails is dropped and its reason
counted in a `GroundingReport`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from greffier.assist.types import ActionItem, GroundingReport, Point, Rejected, Span, speaker_names
from greffier.text import FILLERS, match_key
from greffier.transcript import Segment, Transcript

QUOTE_ABSENT = "quote not found in the transcript"
QUOTE_TOO_SHORT = "quote too short to ground anything"
UNSUPPORTED = "text shares no word with its span"
"""Also for a claim without any content word ("," or "oui")."""
OWNER_ABSENT = "owner neither speaks nor is named in the span"
DUE_ABSENT = "due date not stated in the span"

MIN_QUOTE_WORDS = 3
QUOTE_SIMILARITY = 90.0
"""rapidfuzz partial_ratio (0-100) a quote needs against the transcript: tolerates a dropped filler
word or a changed accent, not a paraphrase."""


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and fillers ignored when comparing claims with spans (French and English, the languages measured).
STOPWORDS = frozenset((*FILLERS["fr"], *FILLERS["en"])) | word_set(
    """
    a afin ai aie aient ait alors au aucun aura aussi autre aux avant avec avoir ayant c ca ce cela
    celle celui ces cet cette chez ci comme comment d dans de des deux donc dont du elle elles en encore
    entre est et etre eu faire fait faut il ils j je l la le les leur leurs lui m ma mais me meme mes
    moi mon n ne ni nos notre nous on ont ou par pas peu peut plus pour qu quand que quel quelle qui s
    sa sans se sera ses si son sont sur t ta te tes toi ton tous tout tres tu un une va vers voila vos
    votre vous y d ici jusqu jusque oui non bon bien alors voila about after all also am an
    and any are as at be been before being but by can could did do does done each for from had has have
    he her here him his how i if in into is it its just let me more my no not now of on one or our out
    over please she should so some than that the their them then there these they this those to too
    until up us was we were what when where which while who will with would yes you your yeah okay ok
    so well by till
    """
)
TIME_WORDS = word_set(
    """
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout
    septembre octobre novembre decembre demain hui soir matin midi semaine semaines mois annee jour
    jours heure heures fin debut prochain prochaine quinzaine bientot tard monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december tomorrow today tonight morning afternoon evening noon week weeks month months year
    day days hour hours end beginning next soon later asap deadline
    """
)
TITLES = word_set(
    """
    m mr mrs ms mme mlle dr docteur doctor monsieur madame mister miss le la the
    """
)
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|er|re|e|eme|ème)$")


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: the form quotes are compared in."""
    return match_key(text)


def looks_like_date(text: str) -> bool:
    """Has a number or a word of time ("vendredi", "next week", "fin du mois", "tomorrow"…)."""
    words = set(tokens(text))
    return any(w.isdigit() for w in words) or bool(words & TIME_WORDS)


def tokens(text: str) -> list[str]:
    return [_ORDINAL.sub(r"\1", t) for t in normalize(text).split()]


STEM = 5
"""Content words are compared on their first letters: envoyer/envoyez, decided/decide, pompier/pompiers."""


def content_words(text: str) -> set[str]:
    return {t[:STEM] for t in tokens(text) if (t not in STOPWORDS and len(t) > 1) or t.isdigit()}


@dataclass
class Ledger:
    """Counts what was proposed and why things were dropped; `report()` freezes it."""

    proposed: int = 0
    kept: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def keep(self) -> None:
        self.proposed += 1
        self.kept += 1

    def drop(self, kind: str, text: str, reason: str) -> None:
        self.proposed += 1
        self.rejected.append(Rejected(kind, text, reason))

    def retract(self, kind: str, text: str, reason: str) -> None:
        """A claim kept earlier is dropped after all (e.g. a decision that restates an action item)."""
        self.kept -= 1
        self.rejected.append(Rejected(kind, text, reason))

    def report(self) -> GroundingReport:
        return GroundingReport(self.proposed, self.kept, tuple(self.rejected))


class Grounder:
    """Grounds claims in `scope`: the segments of `transcript` the model was shown (default: all)."""

    def __init__(self, transcript: Transcript, scope: Sequence[Segment] | None = None) -> None:
        self.segments = list(scope if scope is not None else transcript.segments)
        self._names = speaker_names(transcript)
        self._index = {s.id: i for i, s in enumerate(self.segments)}
        # one normalized string for the whole scope, and where each segment starts in it
        self._starts: list[int] = []
        parts: list[str] = []
        offset = 0
        for s in self.segments:
            self._starts.append(offset)
            norm = normalize(s.text)
            parts.append(norm)
            offset += len(norm) + 1
        self._text = " ".join(parts)

    # -- locating quotes ---------------------------------------------------------------------
    def locate(self, quote: str) -> list[Segment] | None:
        """The segments holding `quote` (its first occurrence); None if absent."""
        needle = normalize(quote)
        return self._search(needle, 0, len(self.segments)) if needle and self.segments else None

    def _search(self, needle: str, first: int, stop: int) -> list[Segment] | None:
        lo = self._starts[first]
        hi = self._starts[stop] - 1 if stop < len(self.segments) else len(self._text)
        hay = self._text[lo:hi]
        exact = hay.find(needle)
        if exact >= 0:
            begin, end = lo + exact, lo + exact + len(needle)
        else:
            match = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=QUOTE_SIMILARITY)
            if match is None:
                return None
            begin, end = lo + match.dest_start, lo + match.dest_end
        i = bisect_right(self._starts, begin) - 1
        j = bisect_right(self._starts, max(begin, end - 1)) - 1
        return self.segments[i : j + 1]

    def _neighbours(self, segments: list[Segment]) -> list[list[Segment]]:
        """The span itself, then the span grown by the segment before, then by the one after."""
        i, j = self._index[segments[0].id], self._index[segments[-1].id]
        grown = [segments]
        if i > 0:
            grown.append([self.segments[i - 1], *segments])
        if j + 1 < len(self.segments):
            grown.append([*segments, self.segments[j + 1]])
        return grown

    # -- checks ------------------------------------------------------------------------------
    def _span_words(self, segments: list[Segment]) -> set[str]:
        return set(tokens(" ".join(s.text for s in segments)))

    def _speaker_words(self, segments: list[Segment]) -> set[str]:
        words: set[str] = set()
        for s in segments:
            if s.speaker:
                words |= set(tokens(s.speaker)) | set(tokens(self._names.get(s.speaker, s.speaker)))
        return words

    def owner_matches(self, owner: str, segments: list[Segment]) -> bool:
        wanted = {t for t in tokens(owner) if t not in TITLES} or set(tokens(owner))
        if not wanted:
            return False
        return bool(wanted & (self._speaker_words(segments) | self._span_words(segments)))

    def due_stated(self, due: str, segments: list[Segment]) -> bool:
        wanted = {t for t in tokens(due) if t not in STOPWORDS} or set(tokens(due))
        return bool(wanted) and wanted <= self._span_words(segments)

    def _evidence(self, text: str, quote: str, min_words: int) -> tuple[list[Segment], str] | str:
        """The segments the claim rests on and their words, or why there are none.

        First the quote: its segments, grown by a neighbour when that is where the claim's words
        are. When the quote fails, a segment (with its neighbours) stating every content word of the
        claim, if the claim has at least `min_words` of them: small models often cite the wrong line
        for a right answer."""
        claim = content_words(text)
        if not claim:
            return UNSUPPORTED
        reason = QUOTE_TOO_SHORT if len(tokens(quote)) < MIN_QUOTE_WORDS else None
        found = None if reason else self.locate(quote)
        if found is None:
            reason = reason or QUOTE_ABSENT
        else:
            for candidate in self._neighbours(found):
                if claim & self._support(candidate):
                    return candidate, quote.strip()
            reason = UNSUPPORTED
        if len(claim) >= min_words:
            for width in (0, 1):  # one segment, else one with its neighbours
                for i in range(len(self.segments)):
                    candidate = self.segments[max(0, i - width) : i + 1 + width]
                    if claim <= self._support(candidate):
                        return candidate, " ".join(s.text.strip() for s in candidate)
        return reason

    def _support(self, segments: list[Segment]) -> set[str]:
        return content_words(" ".join(s.text for s in segments)) | self._speaker_words(segments)

    def point(self, kind: str, text: str, quote: str, ledger: Ledger, *, min_words: int = 2) -> Point | None:
        """A decision, open question or answer, or None (counted in `ledger`). `min_words`: see `_evidence`."""
        found = self._evidence(text, quote, min_words)
        if isinstance(found, str):
            ledger.drop(kind, text, found)
            return None
        ledger.keep()
        return Point(text=text.strip(), quote=found[1], spans=(Span.of(found[0]),))

    def action(
        self, task: str, owner: str | None, due: str | None, quote: str, ledger: Ledger
    ) -> ActionItem | None:
        found = self._evidence(task, quote, 2)
        if isinstance(found, str):
            ledger.drop("action", task, found)
            return None
        segments, quote = found
        owner = (owner or "").strip() or None
        due = (due or "").strip() or None
        if due is not None and not looks_like_date(due):
            due = None  # a place or a task in the date field is a formatting slip, not a claimed date
        for candidate in self._neighbours(segments):
            owner_ok = owner is None or self.owner_matches(owner, candidate)
            due_ok = due is None or self.due_stated(due, candidate)
            if owner_ok and due_ok:
                ledger.keep()
                return ActionItem(
                    task=task.strip(), owner=owner, due=due, quote=quote, spans=(Span.of(candidate),)
                )
        owner_anywhere = owner is None or any(
            self.owner_matches(owner, c) for c in self._neighbours(segments)
        )
        ledger.drop("action", task, OWNER_ABSENT if not owner_anywhere else DUE_ABSENT)
        return None
