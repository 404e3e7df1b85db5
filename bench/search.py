"""Search across meetings (`greffier.search`): quality on the ELITR minuting dev meetings, and scale.

- Recall@5 of ELITR-Bench dev questions (141, English) asked across all 10 meetings at once: a
  question is found when one of its 5 best hits is a passage of its own meeting. Words alone, meaning
  alone and the merged ranking side by side; the hits as the product gives them (spread over
  meetings, `search.spread`) and the passages in fused order before that. Also over the "specific" questions only: those whose
  text is asked of one meeting alone ("What was the purpose of the meeting?" is asked of all ten and
  cannot single one out).
- Indexing seconds per meeting-hour, on the 10 meetings (6.5 h at the corpus's synthetic 150 words
  per minute): passages, stems, sentence vectors, database writes.
- Scale: the 10 meetings replicated (as new meetings, their passage rows copied: vectors are not
  computed again, so that 100 h fit in minutes here) up to SEARCH_HOURS of meeting time (default
  100): query latency (p50, p95; merged, merged unspread, words, meaning) at 6.5 h and at SEARCH_HOURS, peak RSS of
  the process (encoder included) and the in-memory vector matrix; 1,000 h extrapolated linearly.

    python -m bench search
    SEARCH_HOURS=30 python -m bench search
    SEARCH_ANSWERS=10 python -m bench search

- With SEARCH_ANSWERS=N (default 0: the language model is slow on 2 cores), answer accuracy of N
  specific questions (taken in turn from each meeting) asked across the 10 meetings
  (`app.questions.answer_all`) against the same questions asked within their own meeting
  (`assist.qa.ask`), the same model and proxy judge as `bench assist`; and how often the answer
  across cites the right meeting.

Real SQLite database (FTS5) and the real sentence encoder, in a temporary folder.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from bench._assist_data import BenchQuestion, elitr_meetings, elitr_questions, elitr_transcript
from greffier.config import Settings
from greffier.search.filters import Scope
from greffier.search.indexer import index_meeting
from greffier.search.meaning import CACHE
from greffier.search.query import Mode, search
from greffier.search.rows import replace_passages
from greffier.store import accounts
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version
from greffier.store.models import Meeting, SearchPassage
from greffier.transcript import Transcript

K = 5
LATENCY_QUERIES = 60
HOURS = float(os.environ.get("SEARCH_HOURS", "100"))
ANSWERS = int(os.environ.get("SEARCH_ANSWERS", "0"))
_COLUMNS = ("kind", "version", "segment_ids", "start", "end", "speakers", "text", "stems", "vector")


@dataclass
class Corpus:
    db: Database
    blobs: BlobStore
    settings: Settings
    organisation_id: uuid.UUID
    hours: float = 0.0
    index_seconds: float = 0.0


def _meeting(corpus: Corpus, title: str, transcript: Transcript) -> uuid.UUID:
    with corpus.db.write() as session:
        row = Meeting(
            organisation_id=corpus.organisation_id,
            title=title,
            filename=f"{title}.txt",
            audio_key="none",
            audio_bytes=0,
            options={},
            language=transcript.language,
            duration=transcript.duration,
        )
        session.add(row)
        session.flush()
        meeting_id = row.id
    add_version(corpus.db, meeting_id, transcript.to_dict(), author="bench")
    return meeting_id


def _index(corpus: Corpus, title: str, transcript: Transcript) -> uuid.UUID:
    meeting_id = _meeting(corpus, title, transcript)
    started = time.perf_counter()
    assert index_meeting(corpus.db, corpus.blobs, corpus.settings, meeting_id) is not None
    corpus.index_seconds += time.perf_counter() - started
    corpus.hours += transcript.duration / 3600
    return meeting_id


def _title(meeting: str, copy: int = 0) -> str:
    """A title sharing no word with the questions ("meeting"…): meeting_en_dev_007 -> 'ELITR 007'."""
    return f"ELITR {meeting.rsplit('_', 1)[1]}" + (f" ({copy})" if copy else "")


def found(corpus: Corpus, by_id: dict[uuid.UUID, str], mode: Mode, spread: bool = True) -> list[bool]:
    """For each ELITR-Bench dev question: is its meeting among the meetings of the K best hits?
    `spread=False`: the K best passages in fused order, before they are spread over meetings."""
    out = []
    for q in elitr_questions():
        hits = search(
            corpus.db,
            corpus.settings,
            Scope(corpus.organisation_id),
            q.question,
            mode=mode,
            limit=K,
            spread_meetings=spread,
        )
        out.append(any(by_id[h.meeting_id] == q.meeting for h in hits.hits))
    return out


def index_elitr(corpus: Corpus) -> dict[uuid.UUID, str]:
    """The 10 ELITR dev meetings indexed: meeting id -> ELITR meeting name."""
    return {_index(corpus, _title(m), elitr_transcript(m)): m for m in elitr_meetings()}


def recall(corpus: Corpus, by_id: dict[uuid.UUID, str]) -> None:
    questions = elitr_questions()
    asked = Counter(q.question for q in questions)
    specific = [asked[q.question] == 1 for q in questions]
    print(f"\nrecall@{K}, {len(questions)} ELITR-Bench dev questions across {len(by_id)} meetings")
    print(f"{'':>10} {'all':>7} {'specific':>9}  ({sum(specific)} specific)")
    for spread in (False, True):
        print("hits spread over meetings (the product's order)" if spread else "passages in fused order")
        for mode in (Mode.WORDS, Mode.MEANING, Mode.BOTH):
            hits = found(corpus, by_id, mode, spread)
            only = [h for h, s in zip(hits, specific, strict=True) if s]
            name = "merged" if mode == Mode.BOTH else mode.value
            print(f"{name:>10} {np.mean(hits):7.3f} {np.mean(only):9.3f}")


def _specific(n: int) -> list[BenchQuestion]:
    """`n` questions asked of one meeting alone, taken in turn from each meeting."""
    questions = elitr_questions()
    asked = Counter(q.question for q in questions)
    by_meeting: dict[str, list[BenchQuestion]] = {}
    for q in questions:
        if asked[q.question] == 1:
            by_meeting.setdefault(q.meeting, []).append(q)
    turns = zip_longest(*by_meeting.values())
    return [q for turn in turns for q in turn if q is not None][:n]


def answers(corpus: Corpus, by_id: dict[uuid.UUID, str], transcripts: dict[str, Transcript], n: int) -> None:
    """Accuracy across the meetings against within the right one, on `n` specific questions."""
    from bench.assist import answer_correct
    from greffier.app.questions import answer_all
    from greffier.assist.llm import load_llm
    from greffier.assist.qa import ask
    from greffier.jobs.models import AskAllJob

    llm = load_llm(corpus.settings)
    within = across = cited = 0
    questions = _specific(n)
    for q in questions:
        alone = ask(transcripts[q.meeting], q.question, settings=corpus.settings, llm=llm)
        together = answer_all(
            corpus.db, corpus.settings, corpus.organisation_id, AskAllJob(question=q.question), llm=llm
        )
        ok_alone = alone.found and answer_correct(alone.answer, q.answer)
        ok_together = together.found and answer_correct(together.answer, q.answer)
        right = together.meeting_id is not None and by_id[together.meeting_id] == q.meeting
        within, across, cited = within + ok_alone, across + ok_together, cited + right
        print(
            f"  {'OK' if ok_alone else '--'} {'OK' if ok_together else '--'} {'M' if right else ' '} "
            f"{q.question[:50]!r} -> {together.answer[:60]!r} (gold {q.answer[:40]!r})",
            flush=True,
        )
    print(
        f"answer accuracy, {len(questions)} specific questions: within their meeting {within / len(questions):.2f}, "
        f"across the {len(by_id)} meetings {across / len(questions):.2f}; "
        f"the answer across cites the right meeting {cited}/{len(questions)} (proxy judge of bench assist)"
    )


VARIANTS = {
    "merged": (Mode.BOTH, True),
    "merged unspread": (Mode.BOTH, False),  # the baseline of the spread's cost, side by side
    "words": (Mode.WORDS, True),
    "meaning": (Mode.MEANING, True),
}


def latency(corpus: Corpus, queries: list[str]) -> dict[str, tuple[float, float]]:
    """p50 and p95 in ms per variant, after one search that reads the vectors into memory."""
    search(corpus.db, corpus.settings, Scope(corpus.organisation_id), queries[0])
    out = {}
    for name, (mode, spread) in VARIANTS.items():
        times = []
        for query in queries:
            started = time.perf_counter()
            search(
                corpus.db,
                corpus.settings,
                Scope(corpus.organisation_id),
                query,
                mode=mode,
                limit=20,
                spread_meetings=spread,
            )
            times.append((time.perf_counter() - started) * 1000)
        out[name] = (float(np.percentile(times, 50)), float(np.percentile(times, 95)))
    return out


def _report_latency(hours: float, measured: dict[str, tuple[float, float]]) -> None:
    cells = "  ".join(f"{name} p50 {p50:.0f} p95 {p95:.0f}" for name, (p50, p95) in measured.items())
    print(f"{hours:7.1f} h  {cells} (ms)")


def replicate(corpus: Corpus, originals: dict[str, tuple[uuid.UUID, Transcript]]) -> None:
    """New meetings up to HOURS, each with a copy of an original's passage rows."""
    copy = 0
    while corpus.hours < HOURS:
        copy += 1
        for m, (original, transcript) in originals.items():
            if corpus.hours >= HOURS:
                return
            meeting_id = _meeting(corpus, _title(m, copy), transcript)
            with corpus.db.write() as session:
                rows = session.scalars(
                    select(SearchPassage).where(SearchPassage.meeting_id == original)
                ).all()
                copies = [
                    SearchPassage(
                        **{c: getattr(r, c) for c in _COLUMNS},
                        meeting_id=meeting_id,
                        organisation_id=r.organisation_id,
                    )
                    for r in rows
                ]
                replace_passages(session, meeting_id, copies)
            corpus.hours += transcript.duration / 3600


def _passages(corpus: Corpus) -> int:
    with corpus.db.read() as session:
        return session.scalar(select(func.count()).select_from(SearchPassage)) or 0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        root = Path(tmp)
        db = Database(f"sqlite:///{root / 'g.db'}")
        db.migrate()
        organisation = accounts.create_organisation(db, "bench").id
        corpus = Corpus(db, BlobStore(root / "blobs"), Settings(data_dir=root), organisation)
        by_id = index_elitr(corpus)
        transcripts = {m: elitr_transcript(m) for m in by_id.values()}
        print(
            f"indexed {len(by_id)} meetings ({corpus.hours:.1f} h): {corpus.index_seconds:.1f} s, "
            f"{corpus.index_seconds / corpus.hours:.1f} s per meeting-hour"
        )
        recall(corpus, by_id)
        if ANSWERS:
            print(
                f"\nanswers within and across meetings ({ANSWERS} questions; within, across, M: right meeting)"
            )
            answers(corpus, by_id, transcripts, ANSWERS)

        queries = [q.question for q in elitr_questions()][:LATENCY_QUERIES]
        print(f"\nquery latency, {len(queries)} questions, limit 20")
        small = (corpus.hours, latency(corpus, queries))
        _report_latency(*small)
        replicate(corpus, {m: (i, transcripts[m]) for i, m in by_id.items()})
        print(f"replicated to {corpus.hours:.1f} h ({_passages(corpus)} passages)")
        big = (corpus.hours, latency(corpus, queries))
        _report_latency(*big)
        matrix_mb = CACHE.nbytes() / 2**20
        print(
            f"peak RSS {_rss_mb():.0f} MB (encoder, and model if SEARCH_ANSWERS); vectors {matrix_mb:.0f} MB"
        )
        if big[0] > small[0]:  # nothing to extrapolate from when SEARCH_HOURS added no meeting
            target = 1000.0
            for name in VARIANTS:  # what grows with the index, linearly (nothing, if nothing grew)
                growth = max(0.0, (big[1][name][1] - small[1][name][1]) / (big[0] - small[0]))
                p95 = big[1][name][1] + growth * (target - big[0])
                print(f"extrapolated to {target:.0f} h: {name} p95 ≈ {p95:.0f} ms ({growth:.2f} ms per hour)")
            print(
                f"extrapolated to {target:.0f} h: vector matrix ≈ {matrix_mb * target / big[0]:.0f} MB, "
                f"RSS ≈ {_rss_mb() + matrix_mb * (target / big[0] - 1):.0f} MB"
            )
        db.dispose()
