"""One text normalisation for every WER in tests and benchmarks, and the WER itself (jiwer).

The form is `greffier.text.wer_form`: lower case; apostrophes unified and split off (d'avoir -> d'
avoir); hyphens and punctuation to spaces; digits spelled out (num2words, in the transcript's
language) since the human references spell numbers, ordinals too (5e, 1er, 3rd: cinquième, premier,
third); annotation tags (<noise>), truncated words (j-) and hesitations (euh, hum…) removed from both
sides, as they are not words the system is asked to write.
"""

from __future__ import annotations

import jiwer

from greffier.text import WER_HESITATIONS as HESITATIONS
from greffier.text import wer_form

__all__ = ["HESITATIONS", "corpus_wer", "normalise", "wer"]


def normalise(text: str, language: str = "fr") -> str:
    return wer_form(text, language)


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
