"""GET /api/search against a real `greffier serve` with two organisations: a recording transcribed by
its job and a transcript saved through the API are both found at once (words marked, the link to the
moment), the filters narrow, bad searches say what to do, and the other organisation never sees a hit."""

from __future__ import annotations

from pathlib import Path

import httpx

from conftest import eval_file
from servers import two_organisations, upload, wait_job

PORTS = range(19000, 19100)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # "Une classe entière qui a bien vu…"
CORRECTED = {
    "language": "fr",
    "duration": 20.0,
    "segments": [
        {"id": 0, "start": 0.0, "end": 1.0, "text": "Les pompiers réclament deux camions.", "speaker": "S1"},
        {"id": 1, "start": 12.0, "end": 14.0, "text": "La préfecture répondra vendredi.", "speaker": "S2"},
    ],
    "speakers": [{"id": "S1", "name": "Anne"}, {"id": "S2"}],
}


def _search(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/api/search", params=params)


def test_search_api(tmp_path: Path) -> None:
    with two_organisations(tmp_path, PORTS) as (service, token, other):
        ana, bob = service.client(token), service.client(other)
        with ana, bob:
            meeting = upload(ana, eval_file(SHORT), language="fr", title="Conseil de classe")
            assert wait_job(ana, meeting["job"]["id"])["state"] == "succeeded"
            mid = meeting["id"]

            # the transcription job indexed the meeting: its words are found, marked, with the moment
            page = _search(ana, q="classes entières", mode="words").json()
            hit = next(h for h in page["items"] if h["kind"] == "transcript")
            assert hit["meeting_id"] == mid and hit["meeting_title"] == "Conseil de classe"
            marked = {hit["snippet"][s:e].casefold() for s, e in hit["highlights"]}
            assert {"classe", "entière"} <= marked
            assert hit["link"] == f"/meetings/{mid}#t={hit['start']:g},{hit['end']:g}"

            # a transcript saved through the API replaces the words at once
            saved = ana.put(f"/api/meetings/{mid}/transcript", json=CORRECTED, headers={"If-Match": '"1"'})
            assert saved.status_code == 200, saved.text
            page = _search(ana, q="pompier camion").json()
            assert page["items"][0]["meeting_id"] == mid and page["items"][0]["speakers"][:2] == [
                "S1",
                "Anne",
            ]
            assert not [
                h for h in _search(ana, q="entière", mode="words").json()["items"] if h["kind"] != "title"
            ]

            # filters: speaker, meeting, dates; paging (a long pause starts a new passage)
            assert _search(ana, q="pompiers", speaker="anne", mode="words").json()["items"]
            assert not _search(ana, q="pompiers", speaker="S2", mode="words").json()["items"]
            assert _search(ana, q="pompiers", meeting=mid).json()["items"]
            assert not _search(ana, q="pompiers", to="2000-01-01T00:00:00", mode="words").json()["items"]
            assert _search(ana, q="pompiers", **{"from": "2000-01-01"}, mode="words").json()["items"]
            assert _search(ana, q="pompiers", limit="1", offset="1").json()["offset"] == 1

            # another organisation never sees a hit, nor can name the meeting
            for q in ("pompiers camions", "Conseil de classe", "préfecture vendredi"):
                assert _search(bob, q=q).json()["items"] == []
            assert _search(bob, q="pompiers", meeting=mid).status_code == 404

            # bad searches: the problem and the fix
            empty = _search(ana, q="   ")
            assert empty.status_code == 422 and empty.json()["error"]["param"] == "q"
            dates = _search(ana, q="x", **{"from": "2030-01-01", "to": "2020-01-01"})
            assert dates.status_code == 422 and "before" in dates.json()["error"]["message"]
            assert ana.get("/api/search").status_code == 422
            assert httpx.get(f"{service.url}/api/search", params={"q": "x"}).status_code == 401

            # a deleted meeting is found no more
            assert ana.delete(f"/api/meetings/{mid}").status_code == 204
            assert _search(ana, q="pompiers camions").json()["items"] == []
