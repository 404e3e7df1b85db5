"""Minutes as Markdown, Word (.docx) or JSON: `render(minutes, fmt)`, `save(minutes, formats, folder, stem)`.

Every decision, action item and open question is printed with the times and speakers of the
transcript spans it rests on; headings are in the minutes' language (French or English).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from greffier.assist.types import ActionItem, Minutes, Point, Span
from greffier.errors import OptionsError

FORMATS = ("md", "docx", "json")

LABELS = {
    "fr": {
        "summary": "Résumé",
        "topics": "Sujets abordés",
        "decisions": "Décisions",
        "actions": "Actions",
        "questions": "Questions ouvertes",
        "passages": "Passages clés",
        "participants": "Participants",
        "duration": "Durée",
        "due": "échéance",
        "unassigned": "non attribuée",
        "none": "Aucune.",
        "grounding": "Vérifié sur la transcription : {kept} élément(s) gardé(s) sur {proposed} proposé(s)",
        "dropped": "écartés",
        "model": "Modèle",
        "untitled": "Compte rendu",
        "note": "Remarque",
        ":": " :",
        "«": "« ",
        "»": " »",
    },
    "en": {
        "summary": "Summary",
        "topics": "Topics",
        "decisions": "Decisions",
        "actions": "Action items",
        "questions": "Open questions",
        "passages": "Key passages",
        "participants": "Participants",
        "duration": "Duration",
        "due": "due",
        "unassigned": "unassigned",
        "none": "None.",
        "grounding": "Checked against the transcript: {kept} of {proposed} proposed item(s) kept",
        "dropped": "dropped",
        "model": "Model",
        "untitled": "Minutes",
        "note": "Note",
        ":": ":",
        "«": "“",
        "»": "”",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


def clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def where(spans: tuple[Span, ...], names: dict[str, str] | None = None) -> str:
    """'03:12–03:20 Régulateur; 10:02–10:05 Appelant' — the evidence of a claim."""
    parts = []
    for span in spans:
        who = ", ".join((names or {}).get(s, s) for s in span.speakers)
        parts.append(f"{clock(span.start)}–{clock(span.end)}" + (f" {who}" if who else ""))
    return "; ".join(parts)


def _point_line(p: Point, lab: dict[str, str], names: dict[str, str]) -> str:
    return f"{p.text} — {lab['«']}{p.quote}{lab['»']} [{where(p.spans, names)}]"


def _action_line(a: ActionItem, lab: dict[str, str], names: dict[str, str]) -> str:
    owner = a.owner or lab["unassigned"]
    due = f" ({lab['due']}{lab[':']} {a.due})" if a.due else ""
    return f"{owner}{lab[':']} {a.task}{due} — {lab['«']}{a.quote}{lab['»']} [{where(a.spans, names)}]"


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]
    bullets: bool = True


def _sections(minutes: Minutes) -> list[Section]:
    """The body in reading order; shared by Markdown and Word. Without a model: the key passages."""
    lab = labels(minutes.language)
    names = minutes.speakers
    if minutes.key_passages:
        return [
            Section(lab["passages"], [f"[{where((p.span,), names)}] {p.text}" for p in minutes.key_passages])
        ]
    return [
        Section(lab["summary"], [minutes.summary or lab["none"]], bullets=False),
        Section(lab["topics"], [f"{clock(t.start)}–{clock(t.end)} {t.title}" for t in minutes.topics]),
        Section(lab["decisions"], [_point_line(p, lab, names) for p in minutes.decisions]),
        Section(lab["actions"], [_action_line(a, lab, names) for a in minutes.action_items]),
        Section(lab["questions"], [_point_line(p, lab, names) for p in minutes.open_questions]),
    ]


def _footer(minutes: Minutes) -> list[str]:
    lab = labels(minutes.language)
    lines = []
    g = minutes.grounding
    if g.proposed:
        line = lab["grounding"].format(kept=g.kept, proposed=g.proposed)
        if g.dropped:
            line += f"; {lab['dropped']}{lab[':']} " + ", ".join(
                f"{n} × {reason}" for reason, n in g.reasons().items()
            )
        lines.append(line + ".")
    if minutes.llm:
        lines.append(f"{lab['model']}{lab[':']} {minutes.llm}.")
    if minutes.notice:
        lines.append(f"{lab['note']}{lab[':']} {minutes.notice}")
    return lines


def _header(minutes: Minutes) -> tuple[str, str]:
    lab = labels(minutes.language)
    title = minutes.title or lab["untitled"]
    meta = f"{lab['duration']}{lab[':']} {clock(minutes.duration)}"
    if minutes.speakers:
        meta += f" · {lab['participants']}{lab[':']} {', '.join(minutes.speakers.values())}"
    return title, meta


def to_markdown(minutes: Minutes) -> str:
    lab = labels(minutes.language)
    title, meta = _header(minutes)
    out = [f"# {title}", "", f"*{meta}*", ""]
    for section in _sections(minutes):
        body = [f"- {line}" if section.bullets else line for line in section.lines] or [lab["none"]]
        out += [f"## {section.heading}", "", *body, ""]
    footer = _footer(minutes)
    if footer:
        out += ["---", ""] + [f"{line}  " for line in footer]
    return "\n".join(out).rstrip() + "\n"


def to_docx(minutes: Minutes) -> bytes:
    from docx import Document

    lab = labels(minutes.language)
    title, meta = _header(minutes)
    doc = Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    doc.add_paragraph(meta).runs[0].italic = True
    for section in _sections(minutes):
        doc.add_heading(section.heading, level=1)
        for line in section.lines or [lab["none"]]:
            doc.add_paragraph(line, style="List Bullet" if section.bullets and section.lines else None)
    for line in _footer(minutes):
        doc.add_paragraph(line)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_json(minutes: Minutes) -> str:
    return json.dumps(minutes.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render(minutes: Minutes, fmt: str) -> str | bytes:
    if fmt == "md":
        return to_markdown(minutes)
    if fmt == "docx":
        return to_docx(minutes)
    if fmt == "json":
        return to_json(minutes)
    raise OptionsError(f"unknown minutes format {fmt!r}", f"use one of: {', '.join(FORMATS)}")


def save(minutes: Minutes, formats: list[str], folder: Path, stem: str) -> list[Path]:
    """Writes `<folder>/<stem>.minutes.<fmt>` for each format; returns the paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise OptionsError(
            f"unknown minutes format(s) {', '.join(unknown)}", f"use some of: {', '.join(FORMATS)}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{stem}.minutes.{fmt}"
        content = render(minutes, fmt)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
