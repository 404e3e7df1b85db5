"""The embedded model's JSON decoding (`JSONDecoder`), with the real packaged model and the minutes'
real schema (every quotable sentence of the call an alternative): without fast-forward it writes
what llama-cpp-python's grammar-constrained decoding writes, token for token; with it (the default),
the quotes the grammar decides are fed in batches, and the answer is still valid and the same up
to the end of the first quote (rounding of batched scores may change greedy choices after it).
Requests decoded side by side each read their own prompt."""

from __future__ import annotations

import json
import re

import llama_cpp
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from bench._assist_data import simsamu_transcript
from greffier.assist.chunks import format_script
from greffier.assist.decoding import JSONDecoder
from greffier.assist.grammar import ForcedEnum
from greffier.assist.llm import REPEAT_PENALTY
from greffier.assist.minutes import PieceOut, piece_request
from greffier.assist.prompts import FRENCH
from greffier.assist.types import speaker_names

MAX_TOKENS = 400
SIDE_BY_SIDE_CALLS = (
    "dj_mai_enfant_pendu",
    "dj_2022_msn",
    "dj_mai_tetanie",
    "dj_2022_va_accoucher",
    "dj_mai_da_dt",
)


def _request() -> tuple[list[dict[str, str]], dict]:
    call = simsamu_transcript("dj_mai_sdf_coma")
    user, schema = piece_request(list(call.segments), speaker_names(call), "fr")
    return [{"role": "system", "content": FRENCH.system}, {"role": "user", "content": user}], schema


def test_own_decoding_writes_what_llama_cpp_python_writes(embedded_llm) -> None:
    llama = embedded_llm._llama
    messages, schema = _request()
    llama.reset()  # no reuse of the last prompt's cache: both decodings read the prompt alike
    full = llama.create_chat_completion(
        messages=messages,
        temperature=0.0,
        max_tokens=160,
        grammar=LlamaGrammar.from_string(json_schema_to_gbnf(json.dumps(schema)), verbose=False),
        repeat_penalty=REPEAT_PENALTY,
    )
    llama.reset()
    own = JSONDecoder(llama, REPEAT_PENALTY, fast_forward=False).complete(messages, schema, 160)
    assert own.text == full["choices"][0]["message"]["content"]
    assert (own.prompt_tokens, own.completion_tokens) == (
        full["usage"]["prompt_tokens"],
        full["usage"]["completion_tokens"],
    )
    assert own.text.startswith("{") and len(own.text) > 200 and own.forced_tokens == 0
    # the grammar had to be applied to the whole vocabulary at a few steps only
    assert 0 < own.refused < own.completion_tokens / 4


def test_fast_forward_feeds_the_decided_quotes_in_batches(embedded_llm) -> None:
    llama = embedded_llm._llama
    messages, schema = _request()
    plain = JSONDecoder(llama, REPEAT_PENALTY, fast_forward=False).complete(messages, schema, MAX_TOKENS)
    fast = JSONDecoder(llama, REPEAT_PENALTY).complete(messages, schema, MAX_TOKENS)
    assert fast.finish_reason == plain.finish_reason == "stop"
    out = PieceOut.model_validate_json(fast.text)
    allowed = set(schema["$defs"]["ClaimOut"]["properties"]["quote"]["enum"])
    quotes = [t.quote for t in out.topics] + [c.quote for c in out.decisions]
    assert quotes and set(quotes) <= allowed
    assert fast.forced_tokens >= 10  # at least a quote's worth
    first_quote_end = re.search(r'"quote":\s*"(?:[^"\\]|\\.)*"', plain.text).end()
    assert fast.text[:first_quote_end] == plain.text[:first_quote_end]


def test_forced_enum_rest_is_the_one_value_that_fits() -> None:
    values = ["Bonjour madame", "Bonjour monsieur", "Très bien", "Très"]
    schema = {"properties": {"quote": {"type": "string", "enum": values}, "text": {"type": "string"}}}
    forced = ForcedEnum(schema)
    assert forced.rest('{"quote": "Bonjour m') == ""  # two values still fit
    assert forced.rest('{"quote": "Bonjour mo') == 'nsieur"'
    assert forced.rest('{"text": "x", "quote":"Bonjour ma') == 'dame"'
    assert forced.rest('{"quote": "Tr\\u00e8s b') == 'ien"'  # the grammar's literals escape non-ASCII
    assert forced.rest('{"quote": "Tr\\u00e8s') == ""  # "Très" and "Très bien"
    assert forced.rest('{"quote": "Bonjour monsieur"') == ""  # closed
    assert forced.rest('{"text": "Bonjour mo') == ""  # not an enum
    assert ForcedEnum({"properties": {"text": {"type": "string"}}}).rest('{"text": "a') == ""


def test_requests_side_by_side_each_read_their_own_prompt(embedded_llm) -> None:
    """More requests than the context has sequences: each is answered as when decoded alone, from
    its own prompt (the first line of its own call), and `done` is told of every one."""
    decoder = embedded_llm._decoder
    requests, firsts = [], []
    for name in SIDE_BY_SIDE_CALLS:
        call = simsamu_transcript(name)
        lines = list(dict.fromkeys(s.text.strip() for s in call.segments if s.text.strip()))
        schema = {
            "type": "object",
            "properties": {"first": {"type": "string", "enum": lines}},
            "required": ["first"],
        }
        script = format_script(call.segments, speaker_names(call))
        user = f"Transcript:\n{script}\n\nAnswer in JSON: first (the first line of the transcript, copied exactly)."
        requests.append(([{"role": "user", "content": user}], schema))
        firsts.append(lines[0])
    ended: list[int] = []
    outs = decoder.complete_all(requests, 200, ended.append)
    assert len(requests) > llama_cpp.llama_n_seq_max(embedded_llm._llama._ctx.ctx) > 1
    assert sorted(ended) == list(range(len(requests)))
    assert all(o.finish_reason == "stop" and o.forced_tokens > 0 for o in outs)
    side_by_side = [json.loads(o.text)["first"] for o in outs]
    alone = [json.loads(decoder.complete(*r, 200).text)["first"] for r in requests]
    assert side_by_side == alone
    # measured 4 of 5: on dj_2022_msn the model picks the second line, "allo bonjour?", alone too
    assert sum(a == f for a, f in zip(side_by_side, firsts, strict=True)) >= 4
