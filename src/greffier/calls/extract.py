"""Incremental case-form extraction: feed transcript segments as they are finalised.

    form = new_form(call_id="...", regulator="SPEAKER_00")   # regulator: optional speaker id
    form, changes = update(form, new_segments)                # as often as segments come
    form, changes = update_llm(form, new_segments, complete)  # optional, when an LLM is configured

`update` runs the rules (lexicon, numbers, yes/no answers to the regulator's questions, who is on
the line) and then the priority rules. A value stated again adds evidence; a different value
replaces it and the old one goes to the field's history; red flags stay once raised. Nothing here
needs a model: `update_llm` (greffier.calls.llm) only fills fields the rules left empty.

One file past ~400 lines: the readings of one segment (answers, numbers, places, who is on the line)
share its `CallContext` and its edits, applied together at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from greffier.calls import heard_place, numbers
from greffier.calls import lexicon as lx
from greffier.calls.catalogue import Scalar
from greffier.calls.form import CaseForm
from greffier.calls.priority import suggest
from greffier.calls.rules import Clause, Hit, answer, clauses, clean, hits
from greffier.calls.values import Change, Evidence, FieldValue
from greffier.text import QUESTION_LOCUTION, QUESTION_WORDS
from greffier.transcript import Segment, Transcript

OPENING_SEGMENTS = 6
"""Segments that count as the opening of the call (the transfer summary and the first answer)."""

_SEVERITY = {  # within one segment, the most serious reading of a vital sign wins
    "vitals.breathing": ["absent", "difficult", "normal"],
    "vitals.consciousness": ["unconscious", "altered", "conscious"],
    "vitals.bleeding": ["heavy", "minor", "none"],
}
_NEGATED_OPPOSITE = {
    ("vitals.breathing", "absent"): ("vitals.breathing", "normal"),
    ("vitals.consciousness", "altered"): ("vitals.consciousness", "conscious"),
}
_REGULATOR_CUES = re.compile(
    r"samu|docteur|médecin régulateur|régulat|je vous écoute|quelle est (?:votre|l') adresse"
)
_HANDOVER = re.compile(
    r"passez[- ]l[eaà][- ]moi|pouvez[- ]vous me l[ea] passer|je (?:peux|pourrais) (?:lui )?parler"
    r"|je vous l[ea] passe"
)
_HANDBACK = re.compile(r"repassez[- ]moi")
_IMPERSONAL = re.compile(
    r"\bil (?:faut|fallait|y a|y avait|est possible|me semble|paraît|vaut|s'agit|reste)\b"
)
_PHONE_CONTEXT = re.compile(r"votre numéro|vous rappeler|numéro de rappel|joindre")
_INTERCOM = re.compile(
    r"(?i)interphone\s+(?:au nom de|c'est|:)?\s*([A-ZÀ-Ý][\w'\-]+(?:\s+[A-ZÀ-Ý][\w'\-]+)?)"
)
_ACCESS = re.compile(
    r"(?i)(la porte (?:est |sera )?ouverte|porte (?:fermée|verrouillée)(?: à clé)?|clés? (?:sous|dans|chez) (?:le |la |les )?\w+"
    r"|bâtiment [a-z0-9]+\b|escalier [a-z0-9]+\b|porte (?:de )?(?:gauche|droite|en face)|au fond de la cour|ascenseur en panne"
    r"|pas d'ascenseur)"
)
_ADDRESS_CONTEXT = re.compile(r"habite|adresse|ville|commune|se trouve|on est|je suis|c'est")


@dataclass(frozen=True)
class _Edit:
    key: str
    fv: FieldValue
    mode: str = "set"
    """'set' (single value), 'add' (list item) or 'score' (category vote)."""
    weight: float = 1.0
    strength: int = 0
    """For the caller's relation: how explicit the statement was (a weaker one never replaces a stronger)."""


@dataclass(frozen=True)
class CallContext:
    """What the extractor remembers between two `update` calls."""

    regulator: str | None = None
    patient_on_line: bool = False
    awaiting_handover: bool = False
    pending: tuple[tuple[Clause, tuple[Hit, ...]], Evidence] | None = None
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    first_seen: dict[tuple[str, str], FieldValue] = field(default_factory=dict)
    relation_strength: int = 0
    pronouns: dict[str, int] = field(default_factory=dict)


def new_form(call_id: str | None = None, regulator: str | None = None) -> CaseForm:
    """An empty form; `regulator` is the regulator's speaker id when known (else guessed from the call)."""
    return CaseForm(call_id=call_id, context=CallContext(regulator=regulator))


def update(form: CaseForm, new_segments: Iterable[Segment]) -> tuple[CaseForm, list[Change]]:
    """Read finalised segments into the form; returns the new form and the changes, in order."""
    changes: list[Change] = []
    for segment in new_segments:
        form = _read_segment(form, segment, changes)
    form = refresh_suggestion(form, changes)
    return form, changes


def extract_transcript(
    transcript: Transcript,
    regulator: str | None = None,
    call_id: str | None = None,
    on_change: Callable[[Segment, list[Change]], None] | None = None,
) -> CaseForm:
    """The form for a whole transcript (the same path as the live one, one segment at a time);
    `on_change` hears each segment that changed the form, with its changes."""
    form = new_form(
        call_id=call_id or transcript.metadata.get("call") or transcript.source,
        regulator=regulator or transcript.metadata.get("regulator"),
    )
    for segment in transcript.segments:
        form, changes = update(form, [segment])
        if on_change is not None and changes:
            on_change(segment, changes)
    return form


# -- one segment ---------------------------------------------------------------------------------------------------


def _read_segment(form: CaseForm, seg: Segment, changes: list[Change]) -> CaseForm:
    ctx: CallContext = form.context or CallContext()
    text = clean(seg.text)
    if (
        ctx.regulator is None
        and seg.speaker is not None
        and (_REGULATOR_CUES.search(text) or form.segments_seen == 0)
    ):
        ctx = replace(ctx, regulator=seg.speaker)
    is_regulator = _spoken_by_regulator(ctx, seg, text)
    index = form.segments_seen
    form = replace(form, segments_seen=index + 1, last_time=max(form.last_time, seg.end), context=ctx)
    if not text:
        return form
    edits: list[_Edit] = []

    ctx = _track_line(ctx, text, is_regulator)
    parts = clauses(seg.text)
    statements = [c for c in parts if c.kind == "statement" or (not is_regulator and _CALLER_INTONATION(c))]
    who = _who(form, ctx, seg, text, index, is_regulator)
    relation_now = next(
        (e.fv.value for e in who if e.key == "caller.relation"), form.value("caller.relation")
    )
    on_line_is_patient = ctx.patient_on_line or relation_now == "self"
    # nobody has seen the patient ("elle répond plus au téléphone"): what is said of their state is a guess
    unseen = form.value("what_happened") == "no_news" or bool(_NO_NEWS.search(text))

    if not is_regulator and ctx.pending is not None:
        edits += _answer_edits(ctx, seg, text, on_line_is_patient)

    # facts stated in this segment
    found: list[Hit] = []
    for clause in statements:
        found += hits(clause, lx.STATEMENT_PATTERNS, is_regulator)
    best: dict[str, Hit] = {}
    for hit in found:
        p = hit.pattern
        if p.value is None:
            continue
        if hit.negated and (p.key, p.value) != ("vitals.consciousness", "conscious"):
            continue
        if p.about == "patient" and hit.person == "speaker" and not on_line_is_patient:
            continue
        if (is_regulator and not p.regulator_ok) or (unseen and p.key in _PATIENT_STATE):
            continue
        value = "unconscious" if hit.negated else p.value
        if p.key in _SEVERITY:
            order = _SEVERITY[p.key]
            if value not in order:
                continue
            if p.key in best and order.index(best[p.key].pattern.value) <= order.index(value):
                continue
            current = form.value(p.key)
            if p.weak and current in order and order.index(str(current)) < order.index(value):
                continue
            best[p.key] = hit
            continue
        edits.append(_Edit(p.key, _fv(value, seg, hit.quote), "add" if p.key in _LISTS else "set"))
        if p.flag:
            edits.append(_Edit("red_flags", _fv(p.flag, seg, hit.quote), "add"))
    for key, hit in best.items():
        value = "unconscious" if hit.negated else hit.pattern.value
        edits.append(_Edit(key, _fv(value, seg, hit.quote)))
        if hit.pattern.flag and not hit.negated:
            edits.append(_Edit("red_flags", _fv(hit.pattern.flag, seg, hit.quote), "add"))

    # scored categories
    weight = 2.0 if index < OPENING_SEGMENTS else 1.0
    for clause in statements:
        for hit in hits(clause, lx.CATEGORY_PATTERNS, is_regulator):
            p = hit.pattern
            if hit.negated or (p.about == "patient" and hit.person == "speaker" and not on_line_is_patient):
                continue
            if unseen and (p.key, p.value) in _GUESSED_MOTIVES:
                continue
            edits.append(_Edit(p.key, _fv(p.value, seg, hit.quote), "score", weight=p.weight * weight))

    # who the patient is, numbers, place
    edits += who
    edits += _numbers(seg, is_regulator, on_line_is_patient, text)
    if not is_regulator:
        edits += _heard_place(seg, ctx.pending[0][0].text if ctx.pending else "", form)
    ctx = _count_pronouns(ctx, statements, text if is_regulator else "")

    # the regulator's last question waits for the caller's answer
    if is_regulator:
        questions = [c for c in parts if c.kind == "question"]
        if questions:
            q = questions[-1]
            q_hits = tuple(hits(q, (*lx.STATEMENT_PATTERNS, *lx.CATEGORY_PATTERNS), True))
            ctx = replace(ctx, pending=((q, q_hits), _evidence(seg, q.text)))
        elif statements:
            ctx = replace(ctx, pending=None)
    form = replace(form, context=ctx)
    return _apply(form, edits, changes)


def _spoken_by_regulator(ctx: CallContext, seg: Segment, text: str) -> bool:
    """The regulator's turn? Without speaker labels (live, no diarization), guessed turn by turn:
    the regulator's words ("SAMU", "quelle est votre adresse") or a real question are the regulator's."""
    if seg.speaker is not None:
        return seg.speaker == ctx.regulator
    if _REGULATOR_CUES.search(text):
        return True
    return any(c.kind == "question" and _ASKING.search(c.text) for c in clauses(seg.text))


def _fv(value: Scalar, seg: Segment, quote: str, note: str | None = None) -> FieldValue:
    return FieldValue(value, (_evidence(seg, quote),), "rule", note)


def _evidence(seg: Segment, quote: str) -> Evidence:
    """The span of `quote` in the segment (word times when the words can be found, else the segment's)."""
    start, end = seg.start, seg.end
    tokens = quote.split()
    words = [(w, clean(w.text)) for w in seg.words]
    if tokens and words:
        for i, (w, text) in enumerate(words):
            if text == tokens[0]:
                last = next((words[j][0] for j in range(i, len(words)) if words[j][1] == tokens[-1]), None)
                start, end = w.start, last.end if last else w.end
                break
    return Evidence(round(start, 3), round(end, 3), segment_id=seg.id, speaker=seg.speaker, quote=quote)


_NO_NEWS = next(p.regex for p in lx.WHAT_HAPPENED if p.value == "no_news")
_PATIENT_STATE = {"vitals.breathing", "vitals.consciousness", "vitals.bleeding", "red_flags"}
_GUESSED_MOTIVES = {("health_motive", "cardiac_arrest"), ("health_motive", "altered_consciousness")}
_MIN_SCORE = {"caller.communication": 2.0}
"""A category value needs this many votes before it is shown (one word of panic is not a communication problem)."""
_ASKING = re.compile(
    rf"^(?:et )?(?:{QUESTION_WORDS}|qui)\b|{QUESTION_LOCUTION}"
    r"|\b(?:vous|tu|on)\b|\bfaut[- ]il\b|\bfaut que je\b"
)
_FLAGGING_VITALS = (
    ("vitals.breathing", "absent", "not_breathing"),
    ("vitals.breathing", "difficult", "breathing_difficulty"),
    ("vitals.bleeding", "heavy", "heavy_bleeding"),
    ("vitals.consciousness", "unconscious", "unconscious"),
)
_LISTS = {"patient.history", "patient.treatments", "vitals.pain", "red_flags", "risks", "location.access"}


def _track_line(ctx: CallContext, text: str, is_regulator: bool) -> CallContext:
    """Who is on the phone: the caller, or the patient after "passez-le-moi" ... "allô"."""
    if _HANDBACK.search(text):
        return replace(ctx, patient_on_line=False, awaiting_handover=False)
    if _HANDOVER.search(text):
        return replace(ctx, awaiting_handover=True)
    if ctx.awaiting_handover and not is_regulator and re.search(r"\ball[ôo]\b", text):
        return replace(ctx, patient_on_line=True, awaiting_handover=False)
    return ctx


def _CALLER_INTONATION(clause: Clause) -> bool:
    """A caller's '?' is often only intonation ("j'ai pris un Doliprane ?"): a statement unless it asks."""
    return clause.kind == "question" and not _ASKING.search(clause.text)


def _answer_edits(ctx: CallContext, seg: Segment, text: str, on_line_is_patient: bool) -> list[_Edit]:
    assert ctx.pending is not None
    (question, q_hits), q_evidence = ctx.pending
    reply = answer(seg.text)
    edits: list[_Edit] = []
    note = f"réponse à : {question.text} ?"

    def fact(key: str, value: str) -> None:
        fv = FieldValue(value, (q_evidence, _evidence(seg, " ".join(text.split()[:6]))), "rule", note)
        edits.append(
            _Edit(key, fv, "add" if key in _LISTS else "score" if key in lx.CATEGORY_ORDER else "set")
        )

    if question.kind == "question" and lx.PAIN_QUESTION.search(question.text) and reply != "no":
        for site, rx in lx.PAIN_SITE_WORDS.items():
            if rx.search(text):
                fact("vitals.pain", site)
    for hit in q_hits:
        p = hit.pattern
        if p.about == "patient" and hit.person == "speaker" and not on_line_is_patient:
            continue
        positive_reply = reply == "yes" and not re.match(r"^(?:\w+ ){0,3}?si\b", text)
        if question.negated_question and (p.key, p.value) in _NEGATED_OPPOSITE:
            if reply == "no" or (reply == "yes" and positive_reply):
                fact(p.key, p.value)
                if p.flag:
                    fact("red_flags", p.flag)
            elif reply == "yes":
                fact(*_NEGATED_OPPOSITE[(p.key, p.value)])
        elif reply == "yes" and not hit.negated and p.value is not None:
            fact(p.key, p.value)
            if p.flag:
                fact("red_flags", p.flag)
        elif reply == "no":
            for key, value in p.if_no:
                fact(key, value)
    return edits


def _who(
    form: CaseForm, ctx: CallContext, seg: Segment, text: str, index: int, is_regulator: bool
) -> list[_Edit]:
    edits: list[_Edit] = []

    def relation(value: str, strength: int, quote: str) -> None:
        if strength >= ctx.relation_strength:
            edits.append(_Edit("caller.relation", _fv(value, seg, quote), strength=strength))

    if m := lx.RELATION_CALL.search(text):
        relation(_relation_code(m.group(1)), 3, m.group())
    elif index < OPENING_SEGMENTS:
        if not is_regulator and (m := lx.RELATION_SAID.search(text)):
            relation(_relation_code(m.group(1) or m.group(2)), 3, m.group())
        elif is_regulator and (m := lx.RELATION_OPENING.search(text)):
            relation(_relation_code(m.group(1)), 2, m.group())
        elif form.value("caller.relation") is None:
            if m := lx.BYSTANDER.search(text):
                relation("stranger", 2, m.group())
            elif m := lx.SELF_CALL.search(text):
                relation("self", 2, m.group())
    if not is_regulator and (m := lx.PROFESSIONAL.search(text)):
        edits.append(_Edit("caller.type", _fv("professional", seg, m.group())))
    return edits


def _relation_code(word: str) -> str:
    for code, rx in lx.RELATION_WORDS.items():
        if re.fullmatch(rx, word):
            return code
    return "relative"


def _numbers(seg: Segment, is_regulator: bool, on_line_is_patient: bool, text: str) -> list[_Edit]:
    edits: list[_Edit] = []
    raw = seg.text
    if not is_regulator or _PHONE_CONTEXT.search(text):
        for m in numbers.phone_numbers(raw):
            edits.append(_Edit("caller.callback_number", _fv(m.value, seg, m.text)))
    for m in numbers.ages(raw):
        first_person = bool(re.search(r"j'ai \d|vous avez \d", m.text.lower()))
        if not first_person or on_line_is_patient:
            edits.append(_Edit("patient.age", _fv(m.value, seg, m.text)))
    for finder, key in (
        (numbers.floors, "location.floor"),
        (numbers.door_codes, "location.door_code"),
        (numbers.weights, "patient.weight"),
        (numbers.pain_scores, "vitals.pain_score"),
    ):
        for m in finder(raw):
            edits.append(_Edit(key, _fv(m.value, seg, m.text)))
    found_address = numbers.addresses(raw)
    for m in found_address:
        edits.append(_Edit("location.address", _fv(m.value, seg, m.text)))
    if found_address or _ADDRESS_CONTEXT.search(text):
        for m in numbers.cities(raw):
            if found_address or m.text.lower().startswith(("ville", "commune")) or m.value.isdigit():
                edits.append(_Edit("location.city", _fv(m.value, seg, m.text)))
    for m in _INTERCOM.finditer(raw):
        edits.append(_Edit("location.intercom", _fv(m.group(1), seg, m.group())))
    for m in _ACCESS.finditer(raw):
        edits.append(_Edit("location.access", _fv(m.group(1).lower(), seg, m.group()), "add"))
    return edits


def _heard_place(seg: Segment, asked: str, form: CaseForm) -> list[_Edit]:
    """An address or a commune that `numbers` cannot read (no street word): see `heard_place`."""
    read = bool(numbers.addresses(seg.text))
    city_read = read and any(not c.value.isdigit() for c in numbers.cities(seg.text))
    edits = []
    for address, city in heard_place.addresses(seg.text, asked):
        if not read:
            edits.append(_Edit("location.address", _fv(address.value, seg, address.text)))
        if city is not None and not city_read:
            edits.append(_Edit("location.city", _fv(city.value, seg, city.text)))
    if not any(e.key == "location.city" for e in edits) and form.value("location.city") is None:
        city = heard_place.city_answer(seg.text, asked)
        if city is not None:
            edits.append(_Edit("location.city", _fv(city.value, seg, city.text)))
    if not read and not any(e.key == "location.address" for e in edits):
        address = heard_place.answer_address(seg.text, asked)
        if address is not None:
            edits.append(_Edit("location.address", _fv(address.value, seg, address.text)))
    return edits


def _count_pronouns(ctx: CallContext, statements: list[Clause], regulator_text: str) -> CallContext:
    """Subject pronouns about the patient, and the regulator's civilities to the caller (for the sex)."""
    counts = dict(ctx.pronouns)
    for clause in statements:
        body = _IMPERSONAL.sub(" ", clause.text)
        counts["M"] = counts.get("M", 0) + len(re.findall(r"\bil\b", body))
        counts["F"] = counts.get("F", 0) + len(re.findall(r"\belle\b", body))
    for civility in ("madame", "monsieur"):
        counts[civility] = counts.get(civility, 0) + len(re.findall(rf"\b{civility}\b", regulator_text))
    return replace(ctx, pronouns=counts)


# -- applying edits ------------------------------------------------------------------------------------------------


def _apply(form: CaseForm, edits: list[_Edit], changes: list[Change]) -> CaseForm:
    for edit in edits:
        change: Change | None
        if edit.mode == "score":
            form, change = _score(form, edit.key, edit.fv, edit.weight)
        elif edit.mode == "add":
            form, change = form.add_item(edit.key, edit.fv)
        else:
            if edit.key == "caller.relation":
                strength = max(edit.strength, form.context.relation_strength)
                form = replace(form, context=replace(form.context, relation_strength=strength))
            form, change = form.set_value(edit.key, edit.fv)
        if change:
            changes.append(change)
    return _derive(form, changes)


def _score(form: CaseForm, key: str, fv: FieldValue, weight: float) -> tuple[CaseForm, Change | None]:
    """Vote for a category value; the field takes the value with the most votes (history keeps the others)."""
    ctx: CallContext = form.context
    scores = {k: dict(v) for k, v in ctx.scores.items()}
    table = scores.setdefault(key, {})
    value = str(fv.value)
    table[value] = table.get(value, 0.0) + weight
    first = dict(ctx.first_seen)
    first.setdefault((key, value), fv)
    form = replace(form, context=replace(ctx, scores=scores, first_seen=first))
    order = lx.CATEGORY_ORDER[key]
    winner = max(table, key=lambda v: (table[v], -order.index(v)))
    if table[winner] < _MIN_SCORE.get(key, 0.0):
        return form, None
    if winner == form.value(key):
        return form.set_value(key, fv) if winner == value else (form, None)
    return form.set_value(key, first[(key, winner)] if winner != value else fv)


def _derive(form: CaseForm, changes: list[Change]) -> CaseForm:
    """Facts that follow from others: no breathing means unconscious, relation gives caller type and sex."""
    derived: list[_Edit] = []
    breathing = form["vitals.breathing"]
    if breathing.value == "absent" and form.value("vitals.consciousness") != "unconscious":
        derived.append(
            _Edit(
                "vitals.consciousness",
                replace(breathing.values[-1], value="unconscious", note="déduit : ne respire pas"),
            )
        )
        derived.append(
            _Edit(
                "red_flags",
                replace(breathing.values[-1], value="unconscious", note="déduit : ne respire pas"),
                "add",
            )
        )
    if breathing.value == "absent" and form.value("health_motive") != "cardiac_arrest":
        derived.append(
            _Edit(
                "health_motive",
                replace(breathing.values[-1], value="cardiac_arrest", note="déduit : ne respire pas"),
            )
        )
    for key, value, flag in _FLAGGING_VITALS:
        f = form[key]
        if f.value == value and flag not in form.items("red_flags"):
            derived.append(_Edit("red_flags", replace(f.values[-1], value=flag), "add"))
    relation = form["caller.relation"]
    if relation.values and form.value("caller.type") != "professional":
        code = str(relation.value)
        kind = (
            "patient"
            if code == "self"
            else "family"
            if code in lx.FAMILY
            else "acquaintance"
            if code in lx.ACQUAINTANCE
            else "bystander"
            if code == "stranger"
            else "professional"
        )
        if form.value("caller.type") != kind:
            derived.append(_Edit("caller.type", replace(relation.values[-1], value=kind, note=None), "set"))
    sex = _sex(form)
    if sex is not None and form.value("patient.sex") != sex.value:
        derived.append(_Edit("patient.sex", sex, "set"))
    if form.value("what_happened") == "road_accident" and "traffic" not in form.items("risks"):
        derived.append(
            _Edit("risks", replace(form["what_happened"].values[-1], value="traffic", note=None), "add")
        )
    for edit in derived:
        form, change = (
            form.add_item(edit.key, edit.fv) if edit.mode == "add" else form.set_value(edit.key, edit.fv)
        )
        if change:
            changes.append(change)
    return form


def _sex(form: CaseForm) -> FieldValue | None:
    relation = form["caller.relation"]
    if not relation.values:
        return None
    code, evidence = str(relation.value), relation.values[-1]
    if code in lx.RELATION_SEX:
        return replace(evidence, value=lx.RELATION_SEX[code], note=None)
    quote = evidence.evidence[0].quote if evidence.evidence else ""
    if code in lx.ACQUAINTANCE | {"cousin", "patient_of", "partner", "friend"}:
        return replace(evidence, value="F" if lx.FEMININE_FORMS.search(quote) else "M", note=None)
    counts: dict[str, int] = form.context.pronouns
    if code == "self":  # the regulator's "madame" / "monsieur" to the caller
        f, m = counts.get("madame", 0), counts.get("monsieur", 0)
        enough = max(f, m) >= 1 and min(f, m) == 0
    else:
        f, m = counts.get("F", 0), counts.get("M", 0)
        enough = max(f, m) >= 2 and max(f, m) >= 2 * min(f, m)
    if enough:
        return FieldValue(
            "F" if f > m else "M", evidence.evidence, "rule", "d'après les pronoms et les civilités"
        )
    return None


def refresh_suggestion(form: CaseForm, changes: list[Change]) -> CaseForm:
    """Recompute the suggested priority and care level; a change of either is appended to `changes`."""
    priority, care = suggest(form)
    for name, new, old in (("priority", priority, form.priority), ("care_level", care, form.care_level)):
        if (new.value if new else None) != (old.value if old else None):
            changes.append(
                Change(
                    name,
                    "suggested",
                    new.value if new else None,
                    old.value if old else None,
                    tuple(e for r in (new.reasons if new else ()) for e in r.evidence),
                )
            )
    return replace(form, priority=priority, care_level=care)
