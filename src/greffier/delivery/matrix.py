"""A Matrix room (Twake Chat, Element): the minutes as a message, the Word file as an `m.file`.
Rewritten minutes edit the earlier messages (`m.replace`) rather than posting again; each event is
sent with a transaction id made from the delivery id, so a retried delivery posts nothing twice."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from greffier.delivery.mail import DOCX
from greffier.delivery.message import compose
from greffier.delivery.target import Target, request

DEVICE = "GREFFIER"
_API = "/_matrix/client/v3"


class _Room:
    def __init__(self, client: httpx.Client, target: Target) -> None:
        self.client, self.target = client, target
        self.homeserver = target.config.homeserver

    def call(self, method: str, path: str, fix: str, **kwargs: Any) -> dict[str, Any]:
        what = f"Matrix homeserver {self.homeserver}"
        return request(self.client, method, self.homeserver + path, what=what, fix=fix, **kwargs).json()

    def login(self) -> None:
        config, secret = self.target.config, self.target.secret or ""
        if config.user:
            body = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": config.user},
                "password": secret,
                "device_id": DEVICE,  # one device: transaction ids are deduplicated per device
                "initial_device_display_name": "Greffier",
            }
            secret = self.call("POST", f"{_API}/login", "check the bot's user id and password", json=body)[
                "access_token"
            ]
        self.client.headers["Authorization"] = f"Bearer {secret}"

    def join(self) -> str:
        room = self.target.config.room
        fix = f"check the room {room} exists and the bot is invited to it"
        if room.startswith("#"):
            room = self.call("GET", f"{_API}/directory/room/{quote(room)}", fix)["room_id"]
        return self.call("POST", f"{_API}/join/{quote(room)}", fix, json={})["room_id"]

    def upload(self, name: str, content: bytes) -> str:
        return self.call(
            "POST",
            f"/_matrix/media/v3/upload?filename={quote(name)}",
            "check the homeserver accepts uploads this large (max_upload_size)",
            content=content,
            headers={"Content-Type": DOCX},
        )["content_uri"]

    def send(self, room_id: str, txn: str, content: dict[str, Any], replaces: str | None) -> str:
        if replaces:
            content = {
                **content,
                "body": f"* {content['body']}",
                "m.new_content": content,
                "m.relates_to": {"rel_type": "m.replace", "event_id": replaces},
            }
        path = f"{_API}/rooms/{quote(room_id)}/send/m.room.message/{txn}"
        return self.call("PUT", path, "check the bot may post in the room", json=content)["event_id"]


def deliver(target: Target) -> dict[str, Any]:
    package, previous = target.package, target.previous
    message = compose(package)
    txn = f"greffier.{package.delivery_id.hex}"
    with httpx.Client(timeout=target.timeout_s) as client:
        room = _Room(client, target)
        room.login()
        room_id = room.join()
        if previous.get("room_id") != room_id:
            previous = {}  # the destination moved to another room: post anew there
        text = {"msgtype": "m.text", "body": message.text, "format": "org.matrix.custom.html"}
        text["formatted_body"] = message.html
        event_id = room.send(room_id, f"{txn}.text", text, previous.get("event_id"))
        remote = {"room_id": room_id, "event_id": previous.get("event_id") or event_id, "edit": event_id}
        docx = package.files.get("Minutes.docx")
        if docx is not None:
            name = f"{package.folder}.docx"
            file = {
                "msgtype": "m.file",
                "body": name,
                "filename": name,
                "url": room.upload(name, docx),
                "info": {"mimetype": DOCX, "size": len(docx)},
            }
            file_id = room.send(room_id, f"{txn}.file", file, previous.get("file_event_id"))
            remote |= {"file_event_id": previous.get("file_event_id") or file_id, "file_edit": file_id}
    return remote
