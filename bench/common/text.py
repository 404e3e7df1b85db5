"""One text normalisation for every WER in tests and benchmarks, and the WER itself (jiwer).

Lower case; apostrophes unified and split off (d'avoir -> d' avoir); hyphens and punctuation to
spaces; digits spelled out (num2words, in the transcript's language) since the human references
spell numbers, ordinals too (5e, 1er, 3rd: cinquième, premier, third); annotation tags (<noise>), truncated words (j-) and hesitations (euh, hum…) removed
from both sides, as they are not words the system is asked to write.
"""

from __future__ import annotations

import re
import unicodedata

import jiwer
from num2words import num2words

HESITATIONS = {
    "euh",
    "heu",
    "hum",
    "hm",
    "hmm",
    "mh",
    "mm",
    "mmh",
    "ah",
    "oh",
    "ben",
    "bah",
    "uh",
    "um",
    "er",
    "erm",
}

_TAG = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ORDINAL = {
    "fr": re.compile(r"\b(\d+)(?:e|è|ème|eme|er|re|ère|nd|nde)\b"),
    "en": re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"),
}


def _spell(match: re.Match[str], language: str) -> str:
    token = match.group(0).replace(",", ".")
    try:
        return " " + num2words(float(token) if "." in token else int(token), lang=language) + " "
    except (NotImplementedError, OverflowError, ValueError):
        return " " + token + " "


def normalise(text: str, language: str = "fr") -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = _TAG.sub(" ", text)
    text = text.replace("’", "'").replace("`", "'")
    if language in _ORDINAL:
        text = _ORDINAL[language].sub(
            lambda m: f" {num2words(int(m.group(1)), lang=language, to='ordinal')} ", text
        )
    text = _NUMBER.sub(lambda m: _spell(m, language), text)
    text = text.replace("'", "' ")
    text = re.sub(r"\w+-(?=\s|$)", " ", text)  # truncated words: j- j- je
    text = re.sub(r"[-‐–—]", " ", text)
    words = []
    for word in re.sub(r"[^\w' ]+", " ", text).split():
        if word in HESITATIONS:
            continue
        words.append(word)
    return " ".join(words)


def wer(reference: str, hypothesis: str, language: str = "fr") -> float:
    ref, hyp = normalise(reference, language), normalise(hypothesis, language)
    if not ref:
        return 0.0 if not hyp else 1.0
    return jiwer.wer(ref, hyp)


def corpus_wer(pairs: list[tuple[str, str]], language: str = "fr") -> float:
    """Word error rate over a set of (reference, hypothesis) pairs, weighted by reference length."""
    refs = [normalise(r, language) for r, _ in pairs]
    hyps = [normalise(h, language) for _, h in pairs]
    kept = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return jiwer.wer([r for r, _ in kept], [h for _, h in kept])
