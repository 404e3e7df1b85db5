"""A webhook: the event as JSON, POSTed with its delivery id and an HMAC-SHA256 signature of the
body under the destination's key. The body is the same on every try: receivers deduplicate on
`X-Greffier-Delivery`."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from greffier.delivery.target import Target, request

SIGNATURE = "X-Greffier-Signature"
DELIVERY = "X-Greffier-Delivery"
EVENT = "X-Greffier-Event"


def body(target: Target) -> bytes:
    package = target.package
    event = {
        "id": str(package.delivery_id),
        "event": package.event,
        "meeting": {
            "id": str(package.meeting_id),
            "title": package.title,
            "created": package.created.isoformat(),
            "link": package.link,
        },
        "data": package.data,
    }
    return json.dumps(event, ensure_ascii=False, sort_keys=True).encode()


def sign(key: str, content: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), content, hashlib.sha256).hexdigest()


def deliver(target: Target) -> dict[str, Any]:
    content = body(target)
    headers = {
        "Content-Type": "application/json",
        DELIVERY: str(target.package.delivery_id),
        EVENT: target.package.event,
        SIGNATURE: sign(target.secret or "", content),
    }
    with httpx.Client(timeout=target.timeout_s) as client:
        response = request(
            client,
            "POST",
            target.config.url,
            what=f"webhook {target.config.url}",
            fix="check the URL, and that the receiver accepts POSTs of JSON",
            content=content,
            headers=headers,
        )
    return {"status": response.status_code}
