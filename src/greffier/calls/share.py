"""The case shared with the regulation software: the RS-EDA report of a form, and during a live call
the report then its RS-EDA-MAJ updates, each in its EDXL-DE envelope (`rs_eda`).

`report(form, settings, started, link)` is what `greffier call --export rs-eda` prints and
`GET /api/meetings/{id}/call/rs-eda` answers. `LiveShare.messages(form, now, final)` follows a live
call: the RS-EDA as soon as the form knows where (an address or a commune; at the end otherwise),
then an RS-EDA-MAJ each time what an update carries has changed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from greffier.calls.form import CaseForm
from greffier.calls.place import configured_base, of_form
from greffier.calls.rs_eda import CaseIds, HubAddress, envelope, rs_eda, rs_eda_maj
from greffier.config import Settings


def hub_address(settings: Settings) -> HubAddress:
    return HubAddress(settings.hub_client_id, settings.hub_recipient_id)


def report(form: CaseForm, settings: Settings, started: datetime, link: str | None = None) -> dict[str, Any]:
    """The RS-EDA report of a form, in its envelope, sent now."""
    hub = hub_address(settings)
    place = of_form(form, configured_base(settings.address_base))
    message = rs_eda(form, place, hub, CaseIds.of(hub, form.call_id, link), started)
    return envelope(hub, "Report", message, datetime.now(started.tzinfo))


class LiveShare:
    def __init__(self, settings: Settings, started: datetime, link: str | None = None) -> None:
        self.settings, self.started, self.link = settings, started, link
        self.hub = hub_address(settings)
        self._reported = False
        self._last: str | None = None

    def messages(self, form: CaseForm, now: datetime, final: bool = False) -> list[dict[str, Any]]:
        """The envelopes this state of the form calls for (none, the report, or an update)."""
        ids = CaseIds.of(self.hub, form.call_id, self.link)
        if not self._reported:
            if not (final or form.value("location.address") or form.value("location.city")):
                return []
            self._reported = True
            self._last = _content(rs_eda_maj(form, self.hub, ids, now))
            return [report(form, self.settings, self.started, self.link)]
        update = rs_eda_maj(form, self.hub, ids, now)
        content = _content(update)
        if content == self._last:
            return []
        self._last = content
        return [envelope(self.hub, "Update", update, now)]


def _content(update: dict[str, Any]) -> str:
    """What an update says, without the ids and times that change every time."""
    body = dict(update["createCaseHealthUpdate"])
    body["medicalNote"] = [n["freetext"] for n in body.get("medicalNote", [])]
    return json.dumps(body, sort_keys=True, ensure_ascii=False)
