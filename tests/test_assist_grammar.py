"""The grammar checked on the best token first (`GrammarFirstToken`) writes what llama-cpp-python's
grammar-constrained decoding writes, token for token, with the real packaged model and the minutes'
real schema (every quotable sentence of the call an alternative)."""

from __future__ import annotations

import json

from llama_cpp import LogitsProcessorList
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from bench._assist_data import simsamu_transcript
from greffier.assist.grammar import GrammarFirstToken
from greffier.assist.llm import REPEAT_PENALTY
from greffier.assist.minutes import piece_request
from greffier.assist.prompts import FRENCH
from greffier.assist.types import speaker_names


def test_grammar_first_writes_what_the_full_grammar_writes(embedded_llm) -> None:
    llama = embedded_llm._llama
    call = simsamu_transcript("dj_mai_sdf_coma")
    user, schema = piece_request(list(call.segments), speaker_names(call), "fr")
    gbnf = json_schema_to_gbnf(json.dumps(schema))
    messages = [{"role": "system", "content": FRENCH.system}, {"role": "user", "content": user}]

    def write(**how) -> str:
        llama.reset()  # no reuse of the last prompt's cache: both decodings read the prompt alike
        out = llama.create_chat_completion(messages=messages, temperature=0.0, max_tokens=160, **how)
        return out["choices"][0]["message"]["content"]

    full = write(grammar=LlamaGrammar.from_string(gbnf, verbose=False), repeat_penalty=REPEAT_PENALTY)
    first = GrammarFirstToken.for_json_schema(llama, schema, REPEAT_PENALTY)
    fast = write(logits_processor=LogitsProcessorList([first]), repeat_penalty=1.0)
    assert fast == full
    assert full.startswith("{") and len(full) > 200
    # the grammar had to be applied to the whole vocabulary at a few steps only
    assert first.steps > 100 and 0 < first.rejected < first.steps / 4
