"""What each kind of destination needs (pydantic: validated where an admin types it), and the events
it receives by default. The secret (token, password, signing key) is never part of a config."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

EVENTS = ("meeting.transcribed", "minutes.ready", "call.completed")
Event = Literal["meeting.transcribed", "minutes.ready", "call.completed"]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL: write it as https://host/path")
    return value.rstrip("/")


def check_address(value: str) -> str:
    local, _, domain = value.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _room(value: str) -> str:
    alias = value.startswith("#") and ":" in value
    if not (alias or (value.startswith("!") and len(value) > 1)) or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not a Matrix room id (!id) or alias (#name:server)")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Address = Annotated[str, AfterValidator(check_address)]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatrixConfig(_Config):
    kind: Literal["matrix"] = "matrix"
    homeserver: HttpUrl = Field(description="the homeserver's client-server API, e.g. https://matrix.example")
    room: Annotated[str, AfterValidator(_room)] = Field(description="!room id or #alias:server")
    user: str | None = Field(
        None,
        description="the bot's user id: the secret is then its password; else the secret is an access token",
    )
    events: list[Event] = ["minutes.ready"]


class WebDAVConfig(_Config):
    kind: Literal["webdav"] = "webdav"
    url: HttpUrl = Field(
        description="the folder, e.g. https://cloud.example/remote.php/dav/files/bot/Minutes"
    )
    username: str | None = None
    events: list[Event] = ["meeting.transcribed", "minutes.ready"]


class EmailConfig(_Config):
    kind: Literal["email"] = "email"
    host: str
    port: int = Field(587, ge=1, le=65535)
    sender: Address
    recipients: list[Address] = []
    participants: bool = Field(
        True, description="also the meeting's participants with an address (its list, speakers named so)"
    )
    username: str | None = None
    ca_file: str | None = Field(None, description="a CA certificate to trust for STARTTLS (private CA)")
    events: list[Event] = ["minutes.ready"]


class WebhookConfig(_Config):
    kind: Literal["webhook"] = "webhook"
    url: HttpUrl
    events: list[Event] = list(EVENTS)


DestinationConfig = Annotated[
    MatrixConfig | WebDAVConfig | EmailConfig | WebhookConfig, Field(discriminator="kind")
]
CONFIG: TypeAdapter[MatrixConfig | WebDAVConfig | EmailConfig | WebhookConfig] = TypeAdapter(
    DestinationConfig
)
KINDS = ("matrix", "webdav", "email", "webhook")
NEEDS_SECRET = {"matrix": True, "webdav": False, "email": False, "webhook": True}
"""A Matrix bot needs its token or password; a webhook its signing key (the others may be open)."""
