"""JSON-constrained decoding of the embedded model: llama-cpp-python's grammar (applied to the
whole vocabulary at every token) versus `GrammarFirstToken` (the best token checked first), side by side.

    python -m bench grammar

The first piece of the minutes of ELITR meeting_en_dev_006 (its real prompt and schema, 2,200
prompt tokens), written by each way twice, alternately, with the prompt read anew each time; the
faster of each way's two runs counts. Prints seconds, tokens written, the ratio, and whether the
two outputs are the same (they must be).
"""

from __future__ import annotations

import json
import time

from llama_cpp import LogitsProcessorList
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from bench._assist_data import elitr_transcript
from greffier.assist import chunks
from greffier.assist.embed import embed
from greffier.assist.grammar import GrammarFirstToken
from greffier.assist.llm import REPEAT_PENALTY, embedded_llm
from greffier.assist.minutes import piece_request
from greffier.assist.prompts import prompts_for
from greffier.assist.types import speaker_names
from greffier.config import get_settings

MEETING = "meeting_en_dev_006"
MAX_TOKENS = 1800


def main() -> None:
    settings = get_settings()
    llm = embedded_llm(settings)
    llama = llm._llama
    transcript = elitr_transcript(MEETING)
    names = speaker_names(transcript)
    pieces = chunks.split(
        list(transcript.segments),
        settings.llm_chunk_tokens,
        llm.count_tokens,
        names,
        lambda t: embed(t, settings),
    )
    user, schema = piece_request(pieces[0], names, "en", 0, len(pieces))
    messages = [{"role": "system", "content": prompts_for("en").system}, {"role": "user", "content": user}]
    gbnf = json_schema_to_gbnf(json.dumps(schema))

    def full() -> dict:
        grammar = LlamaGrammar.from_string(gbnf, verbose=False)
        return dict(grammar=grammar, repeat_penalty=REPEAT_PENALTY)

    def first() -> dict:
        processor = GrammarFirstToken.for_json_schema(llama, schema, REPEAT_PENALTY)
        return dict(logits_processor=LogitsProcessorList([processor]), repeat_penalty=1.0)

    best: dict[str, tuple[float, int, str]] = {}
    for _ in range(2):
        for name, how in (("full grammar", full), ("grammar first", first)):
            llama.reset()
            start = time.perf_counter()
            out = llama.create_chat_completion(
                messages=messages, temperature=0.0, max_tokens=MAX_TOKENS, **how()
            )
            seconds = time.perf_counter() - start
            if name not in best or seconds < best[name][0]:
                best[name] = (
                    seconds,
                    out["usage"]["completion_tokens"],
                    out["choices"][0]["message"]["content"],
                )
    print(f"{MEETING}, first of {len(pieces)} pieces, {out['usage']['prompt_tokens']} prompt tokens")
    for name, (seconds, tokens, _) in best.items():
        print(f"{name:14s} {seconds:6.1f} s, {tokens} tokens written")
    (a, _, text_a), (b, _, text_b) = best["full grammar"], best["grammar first"]
    print(f"ratio: grammar first is {a / b:.2f}x faster; outputs identical: {text_a == text_b}")
