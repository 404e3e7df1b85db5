"""The live call path: a live transcription stream whose finals fill the case form as they come.

The live protocol (`greffier.live.protocol`: partial, final, error, end) gains one message, `form`,
sent right after the `final` whose words changed the form: the changes (field, action, new value,
its label and evidence spans), the red flags raised so far, and the whole form (`to_dict()`). The
last `form` before `end` has `complete: true` and the RS-EDA-like export.

`LiveCall` sits between a `LiveStream` and its transport, on the text frames `run_stream` sends:

    call = LiveCall(call_id="…", regulator=None, complete=None)
    await run_stream(stream, receive, call.relay(send), call.saver(save))

The rules run on each final at once (a few milliseconds); with `complete` (a JSON LLM, see
`greffier.calls.llm`) the model reads the new finals in a background thread and its grounded
additions come later as `form` messages with `source: "llm"`, never delaying the rules.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from greffier.calls import communes
from greffier.calls.catalogue import label
from greffier.calls.extract import new_form, update
from greffier.calls.form import CaseForm, change_dict
from greffier.calls.guidance import CPR_STEPS, guide, needs_cpr
from greffier.calls.llm import SCHEMA, JsonComplete, prompt, update_llm
from greffier.calls.place import of_form, place_dict
from greffier.calls.streets import AddressBase
from greffier.calls.values import Change
from greffier.errors import GreffierError
from greffier.live.protocol import ErrorMessage, FinalMessage
from greffier.live.session import Save, Send
from greffier.transcript import Segment, Transcript, Word

log = logging.getLogger("greffier.calls.live")

LLM_CONTEXT_SEGMENTS = 8
"""Segments the model reads before the new ones (an answer needs its question)."""


class FormMessage(BaseModel):
    type: Literal["form"] = "form"
    segment_id: int | None = Field(description="the final whose words made these changes")
    time: float = Field(description="seconds of the call read so far")
    source: Literal["rules", "llm"] = "rules"
    changes: list[dict[str, Any]] = Field(
        description="key, action (set, replaced, added, removed, evidence, suggested), value, previous, "
        "label, evidence [{segment_id, start, end, speaker, quote}]"
    )
    red_flags: list[dict[str, Any]] = Field(description="every red flag raised so far: code, label, evidence")
    form: dict[str, Any] = Field(description="the whole form (CaseForm.to_dict())")
    complete: bool = Field(False, description="true on the last one, sent just before `end`")
    export: dict[str, Any] | None = Field(None, description="the RS-EDA-like case, on the last one")
    place: dict[str, Any] = Field(
        description="the commune (INSEE code) and street proposed for what was heard: city, street "
        "({heard, value, confidence, code, to_confirm}), number"
    )
    guidance: dict[str, Any] = Field(
        description="questions [{key, text}] for the critical fields still missing; cpr: the T-CPR steps or null"
    )


class GuidanceMessage(BaseModel):
    """Telephone-CPR instructions, sent at once when "unconscious" and "not breathing" are heard,
    from the provisional words of a partial (or, failing that, a final). The next `form` message
    confirms them (`guidance.cpr`) or, when the final did not say it after all, withdraws them (null)."""

    type: Literal["guidance"] = "guidance"
    provisional: bool = Field(description="true when the words were heard in a partial")
    cpr: list[str] = Field(description="the T-CPR steps, in order")
    time: float = Field(
        description="where the words that triggered it start, seconds from the start of the call"
    )


class FlagMessage(BaseModel):
    """A red flag heard in a partial: shown at once, confirmed by a `form` message once final."""

    type: Literal["flag"] = "flag"
    provisional: Literal[True] = True
    code: str = Field(
        description="unconscious, not_breathing, breathing_difficulty, heavy_bleeding, chest_pain, stroke_signs"
    )
    label: str
    quote: str = Field(description="the words heard")
    time: float = Field(description="where the partial starts, seconds from the start of the call")


def segment_of(final: FinalMessage) -> Segment:
    """The transcript segment a `final` message carries."""
    return Segment(
        id=final.id,
        start=final.start,
        end=final.end,
        text=final.text,
        words=tuple(Word(w.start, w.end, w.text, w.probability, w.speaker) for w in final.words),
        speaker=final.speaker,
    )


class LiveCall:
    """The case form of one live call, filled from the finals that pass through `relay`."""

    def __init__(
        self,
        call_id: str | None = None,
        regulator: str | None = None,
        complete: JsonComplete | None = None,
        address_base: AddressBase | None = None,
        share: Callable[[CaseForm, bool], object] | None = None,
    ) -> None:
        """`share(form, final)`: called (in a worker thread) with the form after each final that changed
        it, and once with `final` true at the end (`/ws/call`: the SAMU-Hub outbox, `app.calls.LiveCase`)."""
        self.form: CaseForm = new_form(call_id=call_id, regulator=regulator)
        self._share = share
        self.segments: list[Segment] = []
        self._complete = complete
        self._llm_pending: list[Segment] = []
        self._llm_task: asyncio.Task[None] | None = None
        self._send: Send | None = None
        self._lock = asyncio.Lock()
        self._finished = False
        self._announced: set[str] = set()
        self._address_base = address_base
        self._cpr_sent = False
        communes.warm()  # the first commune heard must not wait for the gazetteer

    # -- the transport side ----------------------------------------------------------------------
    def relay(self, send: Send) -> Send:
        """`send` with the form messages added: after each final that changes the form, and before `end`."""
        self._send = send

        async def relayed(text: str) -> None:
            message = json.loads(text)
            kind = message.get("type")
            if kind == "end":
                await self.finish()
                await self._emit(self._message(None, [], "rules", complete=True))
            await self._emit(text)
            if kind == "final":
                await self.read(segment_of(FinalMessage.model_validate_json(text)))
                self._announced = set()
            elif kind == "partial":
                flags = self.provisional_flags(message.get("text") or "", message.get("start"))
                for flag in flags:
                    await self._emit(flag.model_dump_json())
                await self._cpr(self._announced, flags[0].time if flags else self.form.last_time, True)

        return relayed

    def provisional_flags(self, text: str, start: float | None = None) -> list[FlagMessage]:
        """Red flags in the words heard since the last final (a partial: they may still change), not
        yet in the form nor announced for this utterance. The form is not changed: its `form`
        message confirms the flag once the sentence is final."""
        if not text.strip():
            return []
        at = self.form.last_time if start is None else start
        heard, _ = update(self.form, [Segment(len(self.segments), at, at, text)])
        known = set(self.form.items("red_flags")) | self._announced
        out = []
        for value in heard["red_flags"].values:
            if value.value not in known:
                self._announced.add(str(value.value))
                quote = value.evidence[0].quote if value.evidence else ""
                out.append(
                    FlagMessage(
                        code=str(value.value), label=label("red_flags", value.value), quote=quote, time=at
                    )
                )
        return out

    def saver(self, save: Save | None) -> Save:
        """`save` once the form is complete (the finals a vanished client did not get are read too)."""

        async def saving(transcript: Transcript) -> str | None:
            await self.finish(transcript)
            return await save(transcript) if save else None

        return saving

    # -- reading -----------------------------------------------------------------------------------
    async def read(self, segment: Segment) -> list[Change]:
        """One final: the rules now, the model (if any) in the background."""
        self.segments.append(segment)
        self.form, changes = update(self.form, [segment])
        if self._cpr_sent and not needs_cpr(self.form):
            self._cpr_sent = (
                False  # a partial misheard: this final's form message (guidance.cpr null) withdraws it
            )
        if changes:
            await self._cpr((), segment.start, False)
            await self._emit(self._message(segment.id, changes, "rules"))
            await self._shared(final=False)
        if self._complete is not None:
            self._llm_pending.append(segment)
            if self._llm_task is None:
                self._llm_task = asyncio.create_task(self._llm_loop())
        return changes

    async def finish(self, transcript: Transcript | None = None) -> CaseForm:
        """Read the finals not seen yet, wait for the model; idempotent."""
        if self._finished:
            return self.form
        if transcript is not None:
            seen = {s.id for s in self.segments}
            for segment in transcript.segments:
                if segment.id not in seen:
                    await self.read(segment)
        if self._llm_task is not None:
            await self._llm_task
        self._finished = True
        await self._shared(final=True)
        return self.form

    async def _shared(self, final: bool) -> None:
        if self._share is None:
            return
        try:
            await asyncio.to_thread(self._share, self.form, final)
        except Exception as exc:  # the call goes on; what was queued before stays queued
            log.exception("live call: the case could not be queued for SAMU-Hub")
            message = ErrorMessage(
                code="hub_unavailable",
                message=f"the case could not be queued for SAMU-Hub ({exc.__class__.__name__}: {exc})",
                fix="share it from the saved call's page once the database answers",
                fatal=False,
            )
            await self._emit(message.model_dump_json())

    async def _llm_loop(self) -> None:
        assert self._complete is not None
        complete = self._complete
        while self._llm_pending:
            new, self._llm_pending = self._llm_pending, []
            window = self.segments[: -len(new)][-LLM_CONTEXT_SEGMENTS:] + new
            try:
                reply = await asyncio.to_thread(complete, prompt(window), SCHEMA)
                self.form, changes = update_llm(self.form, window, _answered(reply))
            except Exception as exc:  # no model, or one that answers badly: the rules go on alone
                log.warning(
                    "live call: LLM pass dropped: %s", exc, exc_info=not isinstance(exc, GreffierError)
                )
                problem, fix = (
                    (exc.problem, exc.fix)
                    if isinstance(exc, GreffierError)
                    else (f"the LLM pass failed ({exc.__class__.__name__}: {exc})", "check the LLM settings")
                )
                message = ErrorMessage(code="llm_unavailable", message=problem, fix=fix, fatal=False)
                await self._emit(message.model_dump_json())
                self._complete = None
                self._llm_pending = []
                break
            if changes:
                await self._emit(self._message(new[-1].id, changes, "llm"))
        self._llm_task = None

    # -- writing -----------------------------------------------------------------------------------
    async def _cpr(self, heard: Iterable[str], at: float, provisional: bool) -> None:
        """The T-CPR instructions, once per call, as soon as they are due."""
        if not self._cpr_sent and needs_cpr(self.form, heard):
            self._cpr_sent = True
            message = GuidanceMessage(provisional=provisional, cpr=list(CPR_STEPS), time=at)
            await self._emit(message.model_dump_json())

    def _message(
        self,
        segment_id: int | None,
        changes: list[Change],
        source: Literal["rules", "llm"],
        complete: bool = False,
    ) -> str:
        form = self.form.to_dict()
        place = of_form(self.form, self._address_base)
        flags = [
            {"code": item["value"], "label": item["label"], "evidence": item["evidence"]}
            for item in form["fields"]["red_flags"]["items"]
        ]
        return FormMessage(
            segment_id=segment_id,
            time=self.form.last_time,
            source=source,
            changes=[change_dict(c) for c in changes],
            red_flags=flags,
            form=form,
            complete=complete,
            export=self.form.to_export().model_dump(mode="json") if complete else None,
            place=place_dict(place),
            guidance=guide(self.form, place).to_dict(),
        ).model_dump_json()

    async def _emit(self, text: str) -> None:
        if self._send is None:
            return
        async with self._lock:  # the model's messages come from another task
            try:
                await self._send(text)
            except (OSError, RuntimeError, ConnectionError) as exc:  # the client went away
                log.info("live call: client gone: %s", exc)
                self._send = None


def _answered(reply: dict[str, Any]) -> JsonComplete:
    """A `complete` that gives the answer already received (the model ran in a thread)."""
    return lambda _messages, _schema: reply
