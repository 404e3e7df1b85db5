"""Language models behind the assistant: one protocol, two backends.

- `LlamaCppLLM`: the packaged GGUF (or `llm_gguf`) run in-process by llama.cpp, loaded once per
  process, output constrained by the JSON schema of the expected pydantic model (a grammar).
- `OpenAICompatibleLLM`: any `/v1/chat/completions` server (vLLM, Ollama, llama.cpp server…)
  through the `openai` SDK, requests retried with tenacity; JSON schema passed as `response_format`.

`load_llm(settings)` picks one, or raises `LLMUnavailable` (problem + fix) when none can run:
callers then fall back to what works without a model.

One file past ~400 lines: both backends are `_ChatJSON` (prompt, schema, validation and error
messages shared), and that base has no other user to stand in a module of its own.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from greffier.config import Settings, get_settings
from greffier.errors import GreffierError, ModelError

T = TypeVar("T", bound=BaseModel)

EMBEDDED_MODEL = "qwen2.5-coder-1.5b-instruct"
REPEAT_PENALTY = 1.1
"""Greedy decoding of the 1.5B model loops ("La famille décide… La famille décide…") without it."""


class LLMUnavailable(GreffierError):
    """No language model can run (none configured, not installed, or its server does not answer)."""


class LLMOutputError(GreffierError):
    """The model answered something that is not the JSON asked for."""


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, prompt: int, completion: int, seconds: float) -> None:
        self.calls += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.seconds += seconds

    def since(self, before: Usage) -> Usage:
        return Usage(
            self.calls - before.calls,
            self.prompt_tokens - before.prompt_tokens,
            self.completion_tokens - before.completion_tokens,
            self.seconds - before.seconds,
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 2),
            "tokens_per_second": round((self.prompt_tokens + self.completion_tokens) / self.seconds, 1)
            if self.seconds
            else 0.0,
        }


Messages = list[dict[str, str]]


class LLM(Protocol):
    name: str
    context_tokens: int
    usage: Usage

    def complete(
        self,
        system: str,
        user: str,
        schema: type[T],
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> T:
        """Chat completion whose answer is validated as `schema`; raises LLMOutputError otherwise.

        `json_schema` (default: the schema's own) constrains the output further, e.g. to quotes
        that exist (`enum`)."""
        ...

    def complete_all(
        self,
        system: str,
        requests: Sequence[tuple[str, dict[str, Any]]],
        schema: type[T],
        max_tokens: int,
        done: Callable[[int], None] | None = None,
    ) -> list[T | LLMOutputError]:
        """`complete` for each `(user, json_schema)`, side by side where the backend can (the map
        step of long minutes); each answer, or the error it gave. `done(index)` as each one ends."""
        ...

    def complete_json(
        self, messages: Messages, json_schema: dict[str, Any], max_tokens: int = 1024
    ) -> dict[str, Any]:
        """The answer to a chat as a JSON object following `json_schema` (the `greffier.calls.llm` hook)."""
        ...

    def count_tokens(self, text: str) -> int: ...


class _ChatJSON:
    """`complete`, `complete_all` and `complete_json` on top of the backend's calls:
    `_chat(messages, schema, max_tokens)`, and `_chat_all` for several chats side by side."""

    name: str
    usage: Usage

    def _chat(
        self, messages: Messages, json_schema: dict[str, Any], max_tokens: int
    ) -> tuple[str, str | None]:
        raise NotImplementedError

    def _chat_all(
        self,
        chats: list[tuple[Messages, dict[str, Any]]],
        max_tokens: int,
        done: Callable[[int], None] | None,
    ) -> list[tuple[str, str | None]]:
        answers = []
        for index, (messages, json_schema) in enumerate(chats):
            answers.append(self._chat(messages, json_schema, max_tokens))
            if done:
                done(index)
        return answers

    def complete(
        self,
        system: str,
        user: str,
        schema: type[T],
        max_tokens: int,
        json_schema: dict[str, Any] | None = None,
    ) -> T:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        content, finish = self._chat(messages, json_schema or schema.model_json_schema(), max_tokens)
        answer = _validated(schema, content, finish)
        if isinstance(answer, LLMOutputError):
            raise answer
        return answer

    def complete_all(
        self,
        system: str,
        requests: Sequence[tuple[str, dict[str, Any]]],
        schema: type[T],
        max_tokens: int,
        done: Callable[[int], None] | None = None,
    ) -> list[T | LLMOutputError]:
        chats = [
            ([{"role": "system", "content": system}, {"role": "user", "content": user}], json_schema)
            for user, json_schema in requests
        ]
        return [
            _validated(schema, content, finish) for content, finish in self._chat_all(chats, max_tokens, done)
        ]

    def complete_json(
        self, messages: Messages, json_schema: dict[str, Any], max_tokens: int = 1024
    ) -> dict[str, Any]:
        content, finish = self._chat(messages, json_schema, max_tokens)
        try:
            data = json.loads(_json_text(content))
        except json.JSONDecodeError as exc:
            raise _output_error("JSON", str(exc), finish) from exc
        if not isinstance(data, dict):
            raise _output_error("JSON", "not an object", finish)
        return data


def _validated(schema: type[T], content: str, finish: str | None) -> T | LLMOutputError:
    try:
        return schema.model_validate_json(_json_text(content))
    except ValidationError as exc:
        return _output_error(schema.__name__, exc.errors()[0]["msg"], finish)


def _json_text(content: str) -> str:
    text = content.strip()
    found = re.search(r"\{.*\}", text, re.DOTALL)  # servers without schema support may wrap the JSON
    return found.group(0) if found else text


def _output_error(what: str, why: str, finish_reason: str | None) -> LLMOutputError:
    cut = " (cut at max_tokens)" if finish_reason == "length" else ""
    return LLMOutputError(
        f"the model's answer is not valid {what}{cut}: {why}",
        "use a stronger model (GREFFIER_LLM_URL) or a larger llm_context",
    )


# -- embedded llama.cpp ------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _load_llama(path: str, n_ctx: int, n_threads: int, sequences: int) -> Any:
    from llama_cpp import Llama

    from greffier.assist.llama_internals import LlamaInternals

    llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False)
    LlamaInternals(llama).open_sequences(sequences)
    return llama


class LlamaCppLLM(_ChatJSON):
    """The GGUF run in this process, decoded greedily within the JSON schema's grammar
    (`decoding.JSONDecoder`). Calls are serialised: one llama.cpp context is not re-entrant.
    (Forbidding the grammar's optional spaces would save ~15 % of the tokens, but the model then
    answered "," where it had answered "les pompiers".)"""

    _lock = threading.Lock()

    def __init__(self, model_path: Path, *, context_tokens: int, threads: int, parallel: int) -> None:
        from greffier.assist.decoding import JSONDecoder

        self.name = f"llama.cpp/{model_path.name}"
        self.context_tokens = context_tokens
        self.usage = Usage()
        self._llama = _load_llama(str(model_path), context_tokens, threads, parallel)
        self._decoder = JSONDecoder(self._llama, REPEAT_PENALTY)

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _chat(
        self, messages: Messages, json_schema: dict[str, Any], max_tokens: int
    ) -> tuple[str, str | None]:
        return self._chat_all([(messages, json_schema)], max_tokens, None)[0]

    def _chat_all(
        self,
        chats: list[tuple[Messages, dict[str, Any]]],
        max_tokens: int,
        done: Callable[[int], None] | None,
    ) -> list[tuple[str, str | None]]:
        with self._lock:
            started = time.perf_counter()
            outs = self._decoder.complete_all(chats, max_tokens, done)
            elapsed = time.perf_counter() - started
        for out in outs:
            self.usage.add(out.prompt_tokens, out.completion_tokens, elapsed / len(outs))
        return [(out.text, out.finish_reason) for out in outs]


def embedded_llm(settings: Settings) -> LlamaCppLLM:
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise LLMUnavailable(
            "no LLM: llama-cpp-python is not installed",
            "run `make install` (pip install llama-cpp-python==0.3.36), or set GREFFIER_LLM_URL to a server",
        ) from exc
    if settings.llm_gguf is not None:
        path = Path(settings.llm_gguf).expanduser()
        if not path.is_file():
            raise LLMUnavailable(f"no LLM: the GGUF file {path} does not exist", "fix llm_gguf in the config")
    else:
        from greffier.models import ensure_model_file

        try:
            path = ensure_model_file(EMBEDDED_MODEL, settings)
        except ModelError as exc:
            raise LLMUnavailable(f"no LLM: {exc.problem}", exc.fix) from exc
    return LlamaCppLLM(
        path, context_tokens=settings.llm_context, threads=settings.threads, parallel=settings.llm_parallel
    )


# -- OpenAI-compatible server ------------------------------------------------------------------
class _Retryable(Exception):
    """A server answer worth asking again (busy, overloaded, restarting)."""


class OpenAICompatibleLLM(_ChatJSON):
    """Chat completions of an OpenAI-compatible server through the `openai` SDK, with a JSON-schema
    response format. Requests are retried with tenacity (the SDK's own retries are off: a server
    that refuses the `json_schema` format answers HTTP 500, which must not be retried)."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None,
        *,
        timeout: float,
        retries: int,
        context_tokens: int,
        parallel: int = 1,
    ) -> None:
        import openai

        self.name = f"{model}@{url}"
        self.parallel = parallel
        self._usage_lock = threading.Lock()
        self.url = url.rstrip("/")
        self.model = model
        self.context_tokens = context_tokens
        self.usage = Usage()
        self.retries = retries
        self._client = openai.OpenAI(
            base_url=self.url, api_key=api_key or "none", timeout=timeout, max_retries=0
        )
        self._headers: dict[str, Any] = {} if api_key else {"Authorization": openai.omit}
        """No key: no Authorization header (nor the environment's OPENAI_API_KEY) goes to the server."""
        self._format_style = "json_schema"
        """OpenAI's `json_schema` first; `json_object` + `schema` (llama.cpp server) if refused."""

    def count_tokens(self, text: str) -> int:
        return len(text) // 3 + 1  # no tokenizer here: a cautious estimate (real ratio is 3.5-4.5 chars)

    def _response_format(self, json_schema: dict[str, Any]) -> dict[str, Any]:
        if self._format_style == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "answer", "schema": json_schema}}
        return {"type": "json_object", "schema": json_schema}

    def _refuses_format(self, error: Any) -> bool:
        """A server that does not know OpenAI's `json_schema` format (llama.cpp's answers HTTP 500)."""
        return (
            self._format_style == "json_schema"
            and error.status_code in (400, 422, 500)
            and "json_schema" in error.response.text
        )

    def _create(self, request: dict[str, Any]) -> Any:
        """The SDK's `ChatCompletion` for `request` (the arguments of `chat.completions.create`)."""
        from openai import APIConnectionError, APIStatusError
        from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

        @retry(
            retry=retry_if_exception_type((APIConnectionError, _Retryable)),
            stop=stop_after_attempt(self.retries),
            wait=wait_exponential(multiplier=0.5, max=8),
            reraise=True,
        )
        def send() -> Any:
            try:
                return self._client.chat.completions.create(**request, extra_headers=self._headers)
            except APIStatusError as error:
                if not self._refuses_format(error) and (error.status_code == 429 or error.status_code >= 500):
                    raise _Retryable(f"HTTP {error.status_code}: {error.response.text[:200]}") from error
                return error

        try:
            answer = send()
        except (APIConnectionError, _Retryable) as exc:
            cause = exc.__cause__ if isinstance(exc, APIConnectionError) and exc.__cause__ else exc
            raise LLMUnavailable(
                f"no LLM: the server at {self.url} did not answer after {self.retries} tries "
                f"({type(cause).__name__}: {cause})",
                "start it, check GREFFIER_LLM_URL, or unset it to use the embedded model",
            ) from exc
        if not isinstance(answer, APIStatusError):
            return answer
        if self._refuses_format(answer):
            self._format_style = "json_object"  # the llama.cpp server's form
            schema = request["response_format"]["json_schema"]["schema"]
            return self._create({**request, "response_format": self._response_format(schema)})
        raise LLMUnavailable(
            f"the LLM server at {self.url} refused the request: HTTP {answer.status_code} "
            f"{answer.response.text[:200]}",
            "check GREFFIER_LLM_MODEL and GREFFIER_LLM_API_KEY",
        )

    def _chat(
        self, messages: Messages, json_schema: dict[str, Any], max_tokens: int
    ) -> tuple[str, str | None]:
        request = {
            "model": self.model,
            "messages": messages,
            "temperature": 0.0,
            "max_tokens": max_tokens,
            "response_format": self._response_format(json_schema),
        }
        started = time.perf_counter()
        completion = self._create(request)
        usage = completion.usage  # None when the server counts nothing
        with self._usage_lock:
            self.usage.add(
                getattr(usage, "prompt_tokens", 0) or 0,
                getattr(usage, "completion_tokens", 0) or 0,
                time.perf_counter() - started,
            )
        choice = completion.choices[0]
        return choice.message.content or "", choice.finish_reason

    def _chat_all(
        self,
        chats: list[tuple[Messages, dict[str, Any]]],
        max_tokens: int,
        done: Callable[[int], None] | None,
    ) -> list[tuple[str, str | None]]:
        """`parallel` requests at a time (a server such as vLLM batches them)."""

        def one(index: int) -> tuple[str, str | None]:
            answer = self._chat(*chats[index], max_tokens)
            if done:
                done(index)
            return answer

        with ThreadPoolExecutor(max(1, self.parallel), thread_name_prefix="llm-request") as pool:
            return list(pool.map(one, range(len(chats))))


def load_llm(settings: Settings | None = None) -> LLM:
    """The configured model; raises `LLMUnavailable` (with the fix) when there is none."""
    settings = settings or get_settings()
    backend = settings.llm_backend
    if backend == "none":
        raise LLMUnavailable(
            "no LLM: llm_backend is 'none', so only an extractive summary is written",
            "set GREFFIER_LLM_BACKEND=auto to use the embedded model or GREFFIER_LLM_URL",
        )
    if backend == "openai" or (backend == "auto" and settings.llm_url):
        if not settings.llm_url:
            raise LLMUnavailable(
                "no LLM: llm_backend is 'openai' but llm_url is not set",
                "set GREFFIER_LLM_URL=http://host:port/v1",
            )
        return OpenAICompatibleLLM(
            settings.llm_url,
            settings.llm_model,
            settings.llm_api_key,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
            context_tokens=settings.llm_context,
            parallel=settings.llm_parallel,
        )
    return embedded_llm(settings)
