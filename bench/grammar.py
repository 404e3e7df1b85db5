"""JSON-constrained decoding of the embedded model, three ways side by side:

- full grammar: llama-cpp-python's own (the grammar applied to the whole vocabulary at every token);
- grammar first: Greffier's decoder with the best token checked first, no fast-forward;
- fast-forward: the same, with the quotes the grammar decides fed to the model in batches (the default).

    python -m bench grammar

The first piece of the minutes of ELITR meeting_en_dev_006 (its real prompt and schema, 2,200
prompt tokens), written by each way twice, alternately, with the prompt read anew each time; the
faster of each way's two runs counts. Prints seconds, tokens written (and how many were forced),
the ratios, whether "grammar first" wrote the same as "full grammar" (it must), and how much of
its answer fast-forward wrote alike (batched scores round differently, so greedy choices may
differ after the first forced quote).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from bench._assist_data import elitr_transcript
from greffier.assist import chunks
from greffier.assist.decoding import JSONDecoder
from greffier.assist.embed import embed
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

    def full() -> tuple[str, int, int]:
        grammar = LlamaGrammar.from_string(gbnf, verbose=False)
        out = llama.create_chat_completion(
            messages=messages,
            temperature=0.0,
            max_tokens=MAX_TOKENS,
            grammar=grammar,
            repeat_penalty=REPEAT_PENALTY,
        )
        return out["choices"][0]["message"]["content"], out["usage"]["completion_tokens"], 0

    def decoder(fast_forward: bool) -> Callable[[], tuple[str, int, int]]:
        def run() -> tuple[str, int, int]:
            out = JSONDecoder(llama, REPEAT_PENALTY, fast_forward=fast_forward).complete(
                messages, schema, MAX_TOKENS
            )
            return out.text, out.completion_tokens, out.forced_tokens

        return run

    ways = {"full grammar": full, "grammar first": decoder(False), "fast-forward": decoder(True)}
    best: dict[str, tuple[float, str, int, int]] = {}
    for _ in range(2):
        for name, way in ways.items():
            llama.reset()
            start = time.perf_counter()
            text, tokens, forced = way()
            seconds = time.perf_counter() - start
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, text, tokens, forced)
    print(
        f"{MEETING}, first of {len(pieces)} pieces, {len(JSONDecoder(llama, 1.0).prompt(messages))} prompt tokens"
    )
    for name, (seconds, _, tokens, forced) in best.items():
        print(f"{name:14s} {seconds:6.1f} s, {tokens} tokens written, {forced} of them forced")
    reference, first, fast = best["full grammar"], best["grammar first"], best["fast-forward"]
    print(
        f"ratio: grammar first is {reference[0] / first[0]:.2f}x faster than full grammar; "
        f"outputs identical: {reference[1] == first[1]}"
    )
    alike = next((i for i, (a, b) in enumerate(zip(first[1], fast[1], strict=False)) if a != b), None)
    alike = min(len(first[1]), len(fast[1])) if alike is None else alike
    print(
        f"ratio: fast-forward is {first[0] / fast[0]:.2f}x faster than grammar first; "
        f"answers alike for {alike} of {len(first[1])} characters (identical: {first[1] == fast[1]})"
    )
