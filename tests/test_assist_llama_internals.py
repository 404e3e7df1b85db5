"""The llama-cpp-python adapter against the installed llama-cpp-python, with the packaged model: a
release that changes the shape of the private API the JSON decoder works on fails here."""

from __future__ import annotations

import llama_cpp
import numpy as np

from greffier.assist.llama_internals import LlamaInternals


def test_sequences_batch_decode_and_scores(embedded_llm) -> None:
    llama = embedded_llm._llama
    internals = LlamaInternals(llama)
    sequences = llama_cpp.llama_n_seq_max(internals.context)
    assert llama_cpp.llama_n_ctx_seq(internals.context) * sequences == llama.n_ctx()
    assert isinstance(internals.token_text(llama.token_eos()), str)
    assert llama_cpp.llama_vocab_is_eog(internals.vocab, llama.token_eos())

    seq = sequences - 1
    memory = llama_cpp.llama_get_memory(internals.context)
    llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
    tokens = llama.tokenize(b"Bonjour", add_bos=False, special=False)
    batch = internals.new_batch()
    batch.batch.n_tokens = 0
    for k, token in enumerate(tokens):
        batch.batch.token[k], batch.batch.pos[k], batch.batch.n_seq_id[k] = token, k, 1
        batch.batch.seq_id[k][0] = seq
        batch.batch.logits[k] = k == len(tokens) - 1
        batch.batch.n_tokens += 1
    try:
        internals.decode(batch)
        scores = np.ctypeslib.as_array(internals.logits(len(tokens) - 1), shape=(llama.n_vocab(),))
        assert np.isfinite(scores).all() and scores.std() > 0
        assert llama_cpp.llama_memory_seq_pos_max(memory, seq) == len(tokens) - 1
    finally:
        llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        llama.n_tokens = 0
