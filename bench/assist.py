"""Meeting assistant against human references, with baselines side by side.

- ELITR minuting dev (English project meetings, human minutes, ELITR-Bench questions):
  speed and peak memory on the ~9,000-word meeting_en_dev_001, action-item recall / precision
  against the minutes' "[PERSONx] will …" lines, ROUGE against all human minutes (baseline: the
  extractive key passages), ELITR-Bench QA accuracy (baseline: the retrieved passages themselves).
- Simsamu (French simulated emergency calls): how often the title + summary name the call's
  reason (from the dialogue name; baselines: the first 50 words of the call, the key passages).
- Grounding rate everywhere: claims kept / claims proposed, and why the others were dropped.

    python -m bench assist
    ASSIST_MEETINGS=meeting_en_dev_001,meeting_en_dev_007 ASSIST_CALLS=10 ASSIST_QUESTIONS=5 \
        python -m bench assist

ASSIST_MEETINGS: meetings to write minutes for (default all 10; "none" skips), ASSIST_CALLS: how
many Simsamu calls (default all), ASSIST_QUESTIONS: ELITR-Bench questions per meeting, all 10
meetings (default all; 0 skips).
The LLM is whatever the settings give (embedded GGUF by default, GREFFIER_LLM_URL for a server).
"""

from __future__ import annotations

import os
import re
import resource
import time
from dataclasses import dataclass, field

from bench._assist_data import (
    BenchQuestion,
    ReferenceAction,
    elitr_actions,
    elitr_meetings,
    elitr_minutes,
    elitr_questions,
    elitr_transcript,
    simsamu_calls,
    simsamu_transcript,
)
from greffier.assist.grounding import content_words, normalize
from greffier.assist.llm import LLM, load_llm
from greffier.assist.minutes import extractive_minutes, write_minutes
from greffier.assist.qa import PassageIndex, ask
from greffier.assist.types import ActionItem, Answer, GroundingReport, Minutes
from greffier.config import get_settings
from greffier.transcript import Transcript

SPEED_MEETING = "meeting_en_dev_001"

# What a summary must say to name the call's reason (dialogue name -> pattern on normalized text).
# Hand-written from the names; the abbreviations were read against the calls (da = douleur
# abdominale, dt = douleur thoracique, msn = mort subite du nourrisson, nrp = ne répond plus).
STAB = r"couteau|arme|poignard|plaie|bless"
BURN = r"brul"
REASONS = {
    "3_mois_paracetamol": r"paracetamol|doliprane|medicament",
    "arme_2": STAB,
    "arme_blanche": STAB,
    "plaie_arme": STAB,
    "coups": STAB + r"|coup",
    "avp_scooter": r"accident|scooter",
    "moto_landy": r"accident|moto",
    "brulures": BURN,
    "brulures_ped": BURN,
    "brulures_hermes": BURN,
    "brulures_ms": BURN,
    "douleur_abdo": r"ventre|abdo",
    "da": r"ventre|abdo",
    "da_dt": r"ventre|abdo|thora|poitrine",
    "douleur_thoracique": r"poitrine|thora",
    "douleur_thorax": r"poitrine|thora",
    "malaise_dt": r"malaise|thora|poitrine",
    "grand_mere_battue": r"frapp|battu|coups|violence|agress",
    "grand_mere_repond_plus": r"repond (plus|pas)|nouvelles|injoignable|joindre",
    "nrp": r"repond (plus|pas)|nouvelles|injoignable|joindre",
    "ne_reagit_pas": r"repond (plus|pas)|reagit|inconscien",
    "intox_med": r"intox|medicament|comprime|surdose",
    "msn": r"nourrisson|bebe|respire|reveille",
    "tetanie": r"tetan|spasm|malaise",
    "tetanie_2": r"tetan|spasm|malaise",
    "va_accoucher": r"accouch|enceinte|contraction|naissance",
    "voisin_covid": r"covid|fievre|respir",
    "covid": r"covid|fievre|respir",
    "covid_collegue": r"covid|fievre|respir",
    "hematemese": r"vomi|sang|hemat",
    "mallory_weiss": r"vomi|sang",
    "malaise": r"malaise",
    "malaise_joyeux": r"malaise",
    "psy": r"psy|trouble|comportement|delire",
    "psy_manon": r"psy|trouble|comportement|delire|nu",
    "enfant_pendu": r"pendu|pendaison|pendre",
    "feu_grand_pere": r"feu|incendie|fumee",
    "ivresse_14_ans": r"ivre|ivresse|alcool",
    "sdf_coma": r"sdf|coma|inconscien|sans abri",
}


def reason_key(call: str) -> str:
    return re.sub(r"^dj_(?:\d{4}|mai)_", "", call)


def names_reason(call: str, text: str) -> bool:
    return re.search(rf"\b(?:{REASONS[reason_key(call)]})", normalize(text)) is not None


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def minutes_text(m: Minutes) -> str:
    lines = [m.title, m.summary]
    lines += [t.title for t in m.topics]
    lines += [p.text for p in (*m.decisions, *m.open_questions)]
    lines += [f"{a.owner or ''} {a.task} {a.due or ''}" for a in m.action_items]
    lines += [p.text for p in m.key_passages]
    return "\n".join(x for x in lines if x)


def action_matches(item: ActionItem, ref: ReferenceAction) -> bool:
    """Same person (PERSONx in the owner) and at least a quarter of the reference task's content words."""
    if ref.owner.lower() not in normalize(item.owner or "").split():
        return False
    wanted = content_words(ref.task)
    return len(wanted & content_words(item.task)) >= max(1, len(wanted) // 4)


_ENTITY = re.compile(r"\[?((?:PERSON|ORGANIZATION|PROJECT|ANNOTATOR|LOCATION)\d+)\]?")


def answer_correct(predicted: str, gold: str) -> bool:
    """Proxy for a judge: every anonymised entity of the gold answer is named, and (when the gold has
    other content) half its content words appear. Numbers count as content words."""
    entities = {e.lower() for e in _ENTITY.findall(gold)}
    words = set(normalize(predicted).split())
    if entities and not entities <= words:
        return False
    rest = content_words(_ENTITY.sub(" ", gold))
    if not rest or (entities and len(rest) > 8):
        return bool(entities) or not rest
    return len(rest & content_words(predicted)) >= len(rest) / 2


@dataclass
class Totals:
    reports: list[GroundingReport] = field(default_factory=list)

    def add(self, report: GroundingReport) -> None:
        self.reports.append(report)

    def line(self) -> str:
        proposed = sum(r.proposed for r in self.reports)
        kept = sum(r.kept for r in self.reports)
        reasons: dict[str, int] = {}
        for r in self.reports:
            for reason, n in r.reasons().items():
                reasons[reason] = reasons.get(reason, 0) + n
        rate = f"{kept / proposed:.2f}" if proposed else "n/a"
        return f"grounding rate {rate} ({kept}/{proposed} kept; dropped: {reasons or 'none'})"


@dataclass(frozen=True)
class MeetingScore:
    """One meeting's minutes against its human minutes."""

    refs: int
    """reference action items ('[PERSONx] will …' lines)"""
    refs_found: int
    items: int
    """action items proposed (kept after grounding)"""
    items_matched: int
    rouge: tuple[float, float, float]
    """ROUGE-1/2/L F, max over the human minutes"""
    rouge_extractive: tuple[float, float, float]
    """the same for the key passages (the baseline)"""


def score_meeting(meeting: str, transcript: Transcript, minutes: Minutes) -> MeetingScore:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    refs = elitr_actions(meeting)
    humans = elitr_minutes(meeting)

    def rouge(text: str) -> tuple[float, float, float]:
        scores = scorer.score_multi(humans, text)
        return scores["rouge1"].fmeasure, scores["rouge2"].fmeasure, scores["rougeL"].fmeasure

    return MeetingScore(
        refs=len(refs),
        refs_found=sum(any(action_matches(a, r) for a in minutes.action_items) for r in refs),
        items=len(minutes.action_items),
        items_matched=sum(any(action_matches(a, r) for r in refs) for a in minutes.action_items),
        rouge=rouge(minutes_text(minutes)),
        rouge_extractive=rouge(minutes_text(extractive_minutes(transcript, "en"))),
    )


def elitr(llm: LLM, meetings: list[str], totals: Totals) -> None:
    rouge = {"llm": [], "extractive": []}
    found = matched_refs = proposed = matched_items = 0
    if meetings:
        print(
            f"{'meeting':20} {'words':>6} {'min':>6} {'s':>6} {'tok/s':>6} {'acts':>5} {'refs':>4} "
            f"{'R1':>5} {'R2':>5} {'RL':>5} | extractive R1 R2 RL",
            flush=True,
        )
    for meeting in meetings:
        transcript = elitr_transcript(meeting)
        before = llm.usage.as_dict()
        started = time.perf_counter()
        minutes = write_minutes(transcript, llm=llm)
        seconds = time.perf_counter() - started
        after = llm.usage.as_dict()
        tokens = (after["prompt_tokens"] - before["prompt_tokens"]) + (
            after["completion_tokens"] - before["completion_tokens"]
        )
        totals.add(minutes.grounding)
        score = score_meeting(meeting, transcript, minutes)
        matched_refs += score.refs_found
        found += score.refs
        proposed += score.items
        matched_items += score.items_matched
        rouge["llm"].append(list(score.rouge))
        rouge["extractive"].append(list(score.rouge_extractive))
        rate = tokens / (after["seconds"] - before["seconds"] or 1)
        words = len(transcript.text.split())
        print(
            f"{meeting:20} {words:6d} {transcript.duration / 60:6.1f} {seconds:6.0f} "
            f"{rate:6.1f} {score.items:5d} {score.refs:4d} "
            + " ".join(f"{x:5.3f}" for x in rouge["llm"][-1])
            + " | "
            + " ".join(f"{x:5.3f}" for x in rouge["extractive"][-1]),
            flush=True,
        )
        print(
            f"    stages {minutes.metadata.get('timings')}, {minutes.metadata.get('pieces')} pieces, "
            f"LLM {after['calls'] - before['calls']} calls, {tokens} tokens, "
            f"{minutes.grounding.kept}/{minutes.grounding.proposed} grounded, load average {load_average()}",
            flush=True,
        )
        if meeting == SPEED_MEETING:
            print(
                f"    SPEED {meeting}: {seconds:.0f} s for {words} words (target < 300 s), "
                f"peak RSS of this process so far {peak_rss_mb():.0f} MB (target < 4096)",
                flush=True,
            )
    if meetings:
        mean = {k: [sum(col) / len(col) for col in zip(*v, strict=True)] for k, v in rouge.items()}
        print(
            f"ROUGE-1/2/L F (max over human minutes), mean of {len(meetings)} meetings: "
            f"LLM {mean['llm'][0]:.3f}/{mean['llm'][1]:.3f}/{mean['llm'][2]:.3f} vs extractive "
            f"{mean['extractive'][0]:.3f}/{mean['extractive'][1]:.3f}/{mean['extractive'][2]:.3f}"
        )
        print(
            f"action items: recall {matched_refs}/{found} = {matched_refs / max(found, 1):.2f}, "
            f"precision {matched_items}/{proposed} = {matched_items / max(proposed, 1):.2f} "
            "(reference = the minutes' '[PERSONx] will/should/needs to' lines only)"
        )


@dataclass(frozen=True)
class QuestionScore:
    """One ELITR-Bench question asked of its meeting."""

    answer: Answer
    correct: bool
    """found, and right by the proxy judge (`answer_correct`)"""
    retrieved: bool
    """the baseline: the passages shown to the model hold the answer"""


def score_question(q: BenchQuestion, transcript: Transcript, llm: LLM, index: PassageIndex) -> QuestionScore:
    answer = ask(transcript, q.question, llm=llm, index=index)
    return QuestionScore(
        answer,
        answer.found and answer_correct(answer.answer, q.answer),
        answer_correct(" ".join(p.text for p in answer.passages), q.answer),
    )


def questions(llm: LLM, per_meeting: int | None) -> None:
    asked = correct = retrieved = not_said = 0
    by_meeting: dict[str, list] = {}
    for q in elitr_questions():
        by_meeting.setdefault(q.meeting, []).append(q)
    for meeting in elitr_meetings():
        if per_meeting == 0:
            break
        transcript = elitr_transcript(meeting)
        index = PassageIndex.build(transcript)
        for q in by_meeting.get(meeting, [])[:per_meeting]:
            score = score_question(q, transcript, llm, index)
            asked += 1
            correct += score.correct
            retrieved += score.retrieved
            not_said += not score.answer.found
            print(
                f"  {'OK' if score.correct else '--'} {'R' if score.retrieved else ' '} {q.kind:7} "
                f"{q.position} {q.question[:50]!r} -> "
                f"{score.answer.answer[:80]!r} (gold {q.answer[:60]!r})",
                flush=True,
            )
    if asked:
        print(
            f"ELITR-Bench QA: accuracy {correct}/{asked} = {correct / asked:.2f} (proxy judge: entities + "
            f"half the content words); retrieval baseline (the passages hold the answer) "
            f"{retrieved / asked:.2f}; "
            f"answered 'not said' {not_said}/{asked}"
        )


def simsamu(llm: LLM, calls: list[str], totals: Totals) -> None:
    named = {"llm": 0, "first 50 words": 0, "extractive": 0}
    for call in calls:
        transcript = simsamu_transcript(call)
        started = time.perf_counter()
        minutes = write_minutes(transcript, llm=llm)
        seconds = time.perf_counter() - started
        totals.add(minutes.grounding)
        ok = names_reason(call, f"{minutes.title}\n{minutes.summary}")
        named["llm"] += ok
        named["first 50 words"] += names_reason(call, " ".join(transcript.text.split()[:50]))
        named["extractive"] += names_reason(call, extractive_minutes(transcript, "fr").summary)
        print(
            f"  {'OK' if ok else '--'} {call:32} {seconds:5.0f} s  {minutes.title[:60]!r} | "
            f"{len(minutes.decisions)}d {len(minutes.action_items)}a "
            f"{minutes.grounding.kept}/{minutes.grounding.proposed}"
            f" | {minutes.summary[:120]!r}",
            flush=True,
        )
    if calls:
        print(
            "Simsamu: call reason named in title+summary: "
            + ", ".join(f"{k} {v}/{len(calls)} = {v / len(calls):.2f}" for k, v in named.items())
        )


def _pick(variable: str, available: list[str]) -> list[str]:
    value = os.environ.get(variable, "all")
    if value == "none":
        return []
    if value == "all":
        return available
    if value.isdigit():
        return available[: int(value)]
    return [v for v in value.split(",") if v in available]


def main() -> None:
    settings = get_settings()
    llm = load_llm(settings)
    print(
        f"LLM {llm.name}, threads {settings.threads}, {os.cpu_count()} cores "
        f"(shared with other jobs: load average {load_average()})",
        flush=True,
    )
    meetings = _pick("ASSIST_MEETINGS", elitr_meetings())
    calls = _pick("ASSIST_CALLS", simsamu_calls())
    per_meeting = int(os.environ["ASSIST_QUESTIONS"]) if os.environ.get("ASSIST_QUESTIONS") else None
    totals = Totals()
    elitr(
        llm, sorted(meetings, key=lambda m: m != SPEED_MEETING), totals
    )  # the speed meeting first: clean peak RSS
    simsamu(llm, calls, totals)
    questions(llm, per_meeting)
    print(totals.line())
