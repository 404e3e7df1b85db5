"""What a job is asked to do: one pydantic model per task type, told apart by `kind` (`JobSpec`).

A job row stores its kind in its own column and the rest of the model as its payload JSON
(`payload_of`): the same keys, in the same order, as the payload dicts of earlier versions, so that
jobs already queued in a database still run. `read_job` is the one place a stored job is read back
(by the runner, before its task runs; `read_as` for a reader that knows the kind, such as the version
a minutes job wrote from); `registry.create_job` the one place one is written.

`MeetingOptions` is also what the API takes for a recording and what a meeting stores; the pipeline's
`TranscribeOptions` (a dataclass) is made from it by `MeetingOptions.pipeline_options`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from greffier.errors import GreffierError

if TYPE_CHECKING:
    from greffier.pipeline import TranscribeOptions


class JobPayloadError(GreffierError):
    """A stored job whose payload does not fit its kind."""


class MeetingOptions(BaseModel):
    """How a meeting's recording is transcribed (extra keys a meeting stores, `live`…, are ignored)."""

    language: str | None = Field(None, description="ISO 639-1 code; null: detected")
    diarize: bool = Field(False, description="find who speaks when")
    speakers: int | None = Field(None, ge=1, description="exact number of speakers, when known")
    identify: bool = Field(
        False,
        description="name the speakers after the organisation's people",
        exclude_if=lambda identify: not identify,  # left out, a payload is as earlier versions wrote it
    )

    def pipeline_options(self) -> TranscribeOptions:
        """The pipeline's options for these (the one conversion from the edge's model)."""
        from greffier.diarize.options import DiarizeOptions
        from greffier.pipeline import TranscribeOptions

        return TranscribeOptions(
            language=self.language, diarize=self.diarize, speakers=DiarizeOptions(num_speakers=self.speakers)
        )


class TranscribeJob(MeetingOptions):
    """The meeting's recording -> its first transcript version."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["transcribe"] = "transcribe"


class _Job(BaseModel):
    # extra keys are ignored: a row written by a newer server still runs on an older worker
    model_config = ConfigDict(frozen=True)


class CallJob(_Job):
    """A transcript version -> the emergency-call case form (rules, then the LLM if asked)."""

    kind: Literal["call"] = "call"
    regulator: str | None = Field(None, description="the speaker id of the regulator; null: guessed")
    llm: bool = False
    version: int


class MinutesJob(_Job):
    """A transcript version -> its minutes (JSON, Markdown, Word)."""

    kind: Literal["minutes"] = "minutes"
    version: int


class AskJob(_Job):
    """A question about a transcript version -> the answer."""

    kind: Literal["ask"] = "ask"
    question: str
    version: int


class AskAllJob(_Job):
    """A question across the organisation's meetings (within the filters) -> the answer."""

    kind: Literal["ask_all"] = "ask_all"
    question: str
    created_from: datetime | None = None
    created_to: datetime | None = None
    speaker: str | None = None
    meeting: uuid.UUID | None = None


class DatasetExportJob(_Job):
    """The organisation's licensed meetings -> a dataset archive (the export row `export` says how)."""

    kind: Literal["dataset_export"] = "dataset_export"
    export: uuid.UUID


class DeliverJob(_Job):
    """One delivery (a meeting's result owed to one destination) -> sent there (`delivery.send`)."""

    kind: Literal["deliver"] = "deliver"
    delivery_id: uuid.UUID


JobSpec = Annotated[
    TranscribeJob | CallJob | MinutesJob | AskJob | AskAllJob | DatasetExportJob | DeliverJob,
    Field(discriminator="kind"),
]
_SPECS: TypeAdapter[JobSpec] = TypeAdapter(JobSpec)
S = TypeVar("S", bound=BaseModel)


def payload_of(job: JobSpec) -> dict[str, Any]:
    """What a job row stores as its payload (its kind has a column of its own)."""
    return job.model_dump(mode="json", exclude={"kind"})


def read_job(kind: str, payload: Mapping[str, Any]) -> JobSpec:
    """The typed job of a stored row; `JobPayloadError` names what does not fit."""
    try:
        return _SPECS.validate_python({**payload, "kind": kind})
    except ValidationError as exc:
        raise _payload_error(kind, exc, tagged=True) from exc


def read_as(model: type[S], payload: Mapping[str, Any]) -> S:
    """The stored payload of a job of `model`'s kind (e.g. a minutes job's version), as `read_job` reads it."""
    kind = model.model_fields["kind"].default
    try:
        return model.model_validate({**payload, "kind": kind})
    except ValidationError as exc:
        raise _payload_error(kind, exc, tagged=False) from exc


def _payload_error(kind: str, exc: ValidationError, *, tagged: bool) -> JobPayloadError:
    """`tagged`: the union's errors, whose locations start with the kind."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in error['loc'][int(tagged) :]) or 'payload'}: {error['msg']}"
        for error in exc.errors()
    )
    return JobPayloadError(
        f"the stored payload of this {kind} job does not fit its kind ({problems})",
        "submit the job again (through the API or the CLI) instead of writing job rows by hand",
    )
