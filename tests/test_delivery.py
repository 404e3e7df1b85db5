"""Delivery against real servers on loopback (tests/delivery_servers.py): WsgiDAV, aiosmtpd with
STARTTLS, a webhook receiver checking signatures, Synapse. Each delivery runs as the service runs it:
a `deliver` job claimed and executed by the `JobRunner`."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

import delivery_servers as targets
from greffier.app.delivery import announce
from greffier.app.destinations import NewDestination, add_destination
from greffier.assist import render
from greffier.assist.types import ActionItem, Minutes, Point, Span
from greffier.config import Settings
from greffier.delivery.errors import DeliveryError
from greffier.delivery.secrets import new_key
from greffier.jobs.runner import JobRunner
from greffier.store import accounts, assistant
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version
from greffier.store.models import Delivery, Destination, Job, JobState, Meeting, Organisation, utcnow
from greffier.transcript import Segment, Speaker, Transcript

TITLE = "Comité de pilotage"


@dataclass
class World:
    settings: Settings
    db: Database
    blobs: BlobStore
    runner: JobRunner
    organisation_id: uuid.UUID
    meeting_id: uuid.UUID

    def destination(
        self, name: str, kind: str, config: dict, secret: str | None = None, **marks: bool
    ) -> Destination:
        new = NewDestination(name, kind, config, secret, is_default=True, **marks)
        return add_destination(self.db, self.settings, self.organisation_id, new)

    def minutes(self, summary: str) -> uuid.UUID:
        """A minutes job that succeeded, its files stored as the `minutes` task stores them."""
        span = Span(0.0, 4.0, segment_ids=(0,), speakers=("S1",))
        written = Minutes(
            language="fr",
            title=TITLE,
            summary=summary,
            decisions=(Point("Le budget 2027 est validé.", "on valide le budget", (span,)),),
            action_items=(ActionItem("Envoyer le compte rendu", "Ana", "vendredi", "j'envoie", (span,)),),
            duration=8.0,
            speakers={"S1": "Ana <ana@acme.example>", "S2": "Bob"},
        )
        with self.db.write() as session:
            job = Job(
                organisation_id=self.organisation_id,
                meeting_id=self.meeting_id,
                kind=assistant.MINUTES,
                queue="llm",
                payload={"version": 1},
                state=JobState.SUCCEEDED,
                max_attempts=1,
                created=utcnow(),
            )
            session.add(job)
        for fmt in ("md", "docx", "json"):
            content = render.render(written, fmt)
            key = assistant.minutes_key(self.organisation_id, self.meeting_id, job.id, fmt)
            self.blobs.put_bytes(key, content.encode() if isinstance(content, str) else content)
        announce(self.db, self.settings, self.meeting_id, "minutes.ready", job.id.hex)
        return job.id

    def run_jobs(self) -> None:
        while (claim := self.runner.next_claim(("deliver",))) is not None:
            self.runner.execute(claim)

    def deliveries(self) -> list[Delivery]:
        with self.db.read() as session:
            query = select(Delivery).where(Delivery.meeting_id == self.meeting_id)
            return list(session.scalars(query.order_by(Delivery.created)))


def _back_after_a_failed_try(world: World, start: Callable[[], None]) -> None:
    """Start the stopped target once a delivery has recorded a failed try (not on a timer, which a
    loaded machine can outrun: the target was back before the first try)."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(d.attempts for d in world.deliveries()):
            time.sleep(0.05)
        start()

    threading.Thread(target=watch, daemon=True).start()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    settings = Settings(
        data_dir=tmp_path,
        delivery_key=new_key(),
        delivery_backoff_s=0.2,
        delivery_retries=4,
        delivery_timeout_s=10,
        public_url="https://greffier.example",
    )
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    db.migrate()
    blobs = BlobStore(tmp_path / "blobs")
    organisation = accounts.create_organisation(db, "acme")
    with db.write() as session:
        meeting = Meeting(
            organisation_id=organisation.id,
            title=TITLE,
            filename="copil.wav",
            audio_key="x",
            audio_bytes=0,
            options={},
        )
        session.add(meeting)
    transcript = Transcript(
        language="fr",
        duration=8.0,
        segments=(
            Segment(0, 0.0, 4.0, "On valide le budget, j'envoie le compte rendu vendredi.", speaker="S1"),
            Segment(1, 4.0, 8.0, "D'accord.", speaker="S2"),
        ),
        speakers=(Speaker("S1", "Ana"), Speaker("S2", "Bob")),
    )
    add_version(db, meeting.id, transcript.to_dict(), author="test")
    yield World(settings, db, blobs, JobRunner(settings, db, blobs), organisation.id, meeting.id)
    db.dispose()


def test_webdav_gets_transcript_and_minutes_and_a_rewrite_replaces_the_same_files(world: World) -> None:
    with targets.webdav() as dav:
        world.destination("drive", "webdav", {"url": dav.url, "username": dav.user}, dav.password)
        world.minutes("Première version.")
        world.run_jobs()
        [first] = world.deliveries()
        assert first.state == "sent", first.error
        folder = dav.root / "dav" / f"{utcnow():%Y-%m-%d} {TITLE}"
        names = sorted(p.name for p in folder.iterdir())
        assert names == [
            "Minutes.docx",
            "Minutes.md",
            "Transcript.docx",
            "Transcript.md",
            "Transcript.srt",
        ]
        assert "Première version." in (folder / "Minutes.md").read_text()
        assert "j'envoie le compte rendu" in (folder / "Transcript.srt").read_text()
        assert (folder / "Minutes.docx").read_bytes()[:2] == b"PK"

        first_puts = [path for method, path in dav.requests if method == "PUT"]
        dav.requests.clear()
        world.minutes("Version corrigée.")
        world.run_jobs()
        assert [d.state for d in world.deliveries()] == ["sent", "sent"]
        assert [path for method, path in dav.requests if method == "PUT"] == first_puts
        assert sorted(p.name for p in folder.iterdir()) == names  # replaced, not added beside
        assert "Version corrigée." in (folder / "Minutes.md").read_text()


def test_webdav_with_a_wrong_password_fails_with_the_reason_and_the_fix(world: World) -> None:
    with targets.webdav() as dav:
        world.destination("drive", "webdav", {"url": dav.url, "username": dav.user}, "wrong")
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "failed"
        assert "HTTP 401" in delivery.error and "credentials" in delivery.fix
        assert delivery.attempts == 1  # refused: not retried
        with world.db.read() as session:
            job = session.scalar(select(Job).where(Job.kind == "deliver"))
        assert job.state == "failed" and "HTTP 401" in job.error


def _mail(box: targets.Mailbox, **more: str) -> dict[str, object]:
    config = {"host": box.host, "port": box.port, "sender": "greffier@acme.example"}
    return config | {"recipients": ["direction@acme.example"]} | more


def test_email_over_starttls_to_the_list_and_the_participants_with_a_stable_message_id(world: World) -> None:
    with targets.smtp() as box:
        world.destination("mail", "email", _mail(box, ca_file=str(box.ca_file)))
        job_id = world.minutes("Le budget est validé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent", delivery.error
        [(to, mail)] = box.received
        assert box.tls_seen == [True]
        assert to == ["direction@acme.example", "ana@acme.example"]  # Bob has no address
        assert mail["Message-ID"] == f"<minutes.ready.{job_id.hex}.{world.meeting_id.hex}@acme.example>"
        assert TITLE in mail["Subject"]
        parts = {part.get_content_type(): part for part in mail.walk()}
        text = parts["text/plain"].get_payload(decode=True).decode()
        assert "Le budget 2027 est validé." in text
        assert "Ana : Envoyer le compte rendu (échéance : vendredi)" in text
        assert f"https://greffier.example/meetings/{world.meeting_id}" in text
        docx = parts["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
        assert docx.get_payload(decode=True)[:2] == b"PK"

        # sent again after a failure: the same Message-ID, so mail clients keep one
        with world.db.write() as session:
            session.execute(update(Delivery).values(state="failed"))
        from greffier.app.delivery import resend

        resend(world.db, world.settings, world.organisation_id, world.meeting_id, delivery.id)
        world.run_jobs()
        assert [m["Message-ID"] for _, m in box.received] == [mail["Message-ID"]] * 2


def test_email_is_never_sent_in_clear(world: World) -> None:
    with targets.smtp() as box:
        world.destination(
            "mail", "email", _mail(box)
        )  # no ca_file: the self-signed certificate is not trusted
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "failed" and "TLS failed" in delivery.error and "ca_file" in delivery.fix
        assert box.received == []


def test_webhook_events_are_signed_and_carry_their_delivery_id(world: World) -> None:
    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url}, hook.key)
        announce(world.db, world.settings, world.meeting_id, "meeting.transcribed", "1")
        world.minutes("Résumé.")
        world.run_jobs()
        assert [d.state for d in world.deliveries()] == ["sent", "sent"]
        assert [e["event"] for e in hook.events] == ["meeting.transcribed", "minutes.ready"]
        assert hook.bad_signatures == 0
        for event, delivery in zip(hook.events, world.deliveries(), strict=True):
            assert event["id"] == event["_headers"]["x-greffier-delivery"] == str(delivery.id)
            assert event["meeting"]["id"] == str(world.meeting_id)
        assert hook.events[0]["data"]["version"] == 1
        assert hook.events[1]["data"]["minutes"]["action_items"][0]["owner"] == "Ana"


def test_a_calls_case_form_is_a_call_completed_event(world: World) -> None:
    from greffier.store.meetings import meeting_prefix

    form = {"case": {"priority": "P1", "reason": "douleur thoracique"}}
    key = f"{meeting_prefix(world.organisation_id, world.meeting_id)}/call.json"
    world.blobs.put_bytes(key, json.dumps(form).encode())
    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url, "events": ["call.completed"]}, hook.key)
        world.minutes("Résumé.")  # not an event this destination takes
        announce(world.db, world.settings, world.meeting_id, "call.completed", uuid.uuid4().hex)
        world.run_jobs()
        [event] = hook.events
        assert event["event"] == "call.completed" and event["data"] == form


def test_webhook_with_the_wrong_key_is_refused_by_the_receiver(world: World) -> None:
    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url}, "not-the-key")
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert hook.bad_signatures == 1 and hook.events == []
        assert delivery.state == "failed" and "HTTP 401" in delivery.error


def test_a_receiver_dying_mid_request_is_retried_and_the_event_delivered_once(world: World) -> None:
    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url}, hook.key)
        hook.drop_next = 2  # reads the body, then hangs up without answering, twice
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent" and delivery.attempts == 3
        assert len(hook.events) == 1


def test_a_target_stopped_during_delivery_is_retried_and_receives_once(world: World) -> None:
    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url}, hook.key)
        hook.stop()
        _back_after_a_failed_try(world, hook.start)  # back before the retries run out (0.2 + 0.4 + 0.8 s)
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent", delivery.error
        assert delivery.attempts > 1
        assert len(hook.events) == 1


def test_a_target_down_for_every_try_fails_with_the_fix_and_can_be_sent_again(world: World) -> None:
    from greffier.app.delivery import resend

    with targets.webhook_receiver() as hook:
        world.destination("hook", "webhook", {"url": hook.url}, hook.key)
        hook.stop()
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "failed" and delivery.attempts == world.settings.delivery_retries
        assert "cannot be reached" in delivery.error and "send it again" in delivery.fix
        hook.start()
        resend(world.db, world.settings, world.organisation_id, world.meeting_id, delivery.id)
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent" and len(hook.events) == 1
        with pytest.raises(DeliveryError, match="only a failed delivery"):
            resend(world.db, world.settings, world.organisation_id, world.meeting_id, delivery.id)


def test_health_data_goes_only_to_destinations_allowed_to_receive_it(world: World) -> None:
    with targets.webhook_receiver() as open_hook, targets.webhook_receiver() as certified:
        world.destination("public", "webhook", {"url": open_hook.url}, open_hook.key)
        world.destination("hds", "webhook", {"url": certified.url}, certified.key, health_data=True)
        with world.db.write() as session:
            session.execute(update(Meeting).values(health_data=True))
        world.minutes("Résumé.")
        world.run_jobs()
        states = {d.destination_id: d for d in world.deliveries()}
        assert open_hook.events == [] and len(certified.events) == 1
        refused = [d for d in states.values() if d.state == "failed"]
        assert len(refused) == 1 and "health data" in refused[0].error and "--health-data" in refused[0].fix


def test_a_meeting_marked_health_data_after_scheduling_is_still_not_sent(world: World) -> None:
    with targets.webhook_receiver() as hook:
        world.destination("public", "webhook", {"url": hook.url}, hook.key)
        world.minutes("Résumé.")
        with world.db.write() as session:
            session.execute(update(Meeting).values(health_data=True))
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "failed" and "health data" in delivery.error
        assert hook.events == []


def test_secrets_are_encrypted_at_rest(world: World, tmp_path: Path) -> None:
    world.destination("hook", "webhook", {"url": "https://hooks.example/x"}, "s3cret-signing-key")
    with world.db.read() as session:
        sealed = session.scalar(select(Destination.secret))
    assert sealed and "s3cret" not in sealed
    assert b"s3cret-signing-key" not in (tmp_path / "greffier.db").read_bytes()
    with pytest.raises(DeliveryError, match="no key"):
        add_destination(
            world.db,
            world.settings.model_copy(update={"delivery_key": None}),
            world.organisation_id,
            NewDestination("other", "webhook", {"url": "https://hooks.example/y"}, "k"),
        )


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("matrix", {"homeserver": "matrix.example", "room": "#r:example"}, "not an http(s) URL"),
        ("matrix", {"homeserver": "https://matrix.example", "room": "general"}, "not a Matrix room"),
        ("email", {"host": "smtp.example", "sender": "nobody"}, "not an e-mail address"),
        ("webdav", {"url": "https://dav.example", "colour": "red"}, "colour"),
        ("fax", {}, "unknown destination kind"),
    ],
)
def test_bad_destination_settings_name_the_problem(
    world: World, kind: str, config: dict, message: str
) -> None:
    with pytest.raises(DeliveryError, match=re.escape(message)):
        world.destination("x", kind, config, "secret")


# -- Matrix ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def homeserver() -> Iterator[targets.Homeserver]:
    if not targets.synapse_available():
        pytest.fail(
            f"Synapse is not installed in {targets.SYNAPSE_VENV}: run scripts/synapse-venv.sh (make install does)"
        )
    with targets.synapse() as server:
        yield server


def test_matrix_room_gets_the_minutes_and_the_docx_and_a_rewrite_edits_them(
    world: World, homeserver: targets.Homeserver
) -> None:
    config = {"homeserver": homeserver.url, "room": "#minutes:localhost", "user": homeserver.bot}
    world.destination("room", "matrix", config, homeserver.password)
    world.minutes("Première version.")
    world.run_jobs()
    [first] = world.deliveries()
    assert first.state == "sent", first.error
    text, file = homeserver.messages()[-2:]
    assert text["content"]["msgtype"] == "m.text" and text["sender"] == homeserver.bot
    body = text["content"]["body"]
    assert "Première version." in body and "Ana : Envoyer le compte rendu" in body
    assert f"https://greffier.example/meetings/{world.meeting_id}" in body
    assert file["content"]["msgtype"] == "m.file" and file["content"]["url"].startswith("mxc://")
    media = file["content"]["url"].removeprefix("mxc://")
    download = httpx.get(
        f"{homeserver.url}/_matrix/client/v1/media/download/{media}",
        headers={"Authorization": f"Bearer {homeserver.reader_token}"},
        timeout=30,
    )
    assert download.status_code == 200 and download.content[:2] == b"PK"

    world.minutes("Version corrigée.")
    world.run_jobs()
    edit, file_edit = homeserver.messages()[-2:]
    assert edit["content"]["m.relates_to"] == {"rel_type": "m.replace", "event_id": text["event_id"]}
    assert "Version corrigée." in edit["content"]["m.new_content"]["body"]
    assert file_edit["content"]["m.relates_to"]["event_id"] == file["event_id"]

    # the same delivery run again (a worker lost after sending): the transaction ids make it a no-op
    count = len(homeserver.messages())
    second = world.deliveries()[-1]
    with world.db.write() as session:
        session.execute(update(Delivery).where(Delivery.id == second.id).values(state="failed"))
    from greffier.app.delivery import resend

    resend(world.db, world.settings, world.organisation_id, world.meeting_id, second.id)
    world.run_jobs()
    assert world.deliveries()[-1].state == "sent"
    assert len(homeserver.messages()) == count


def test_matrix_with_a_bad_token_fails_with_the_fix(world: World, homeserver: targets.Homeserver) -> None:
    config = {"homeserver": homeserver.url, "room": homeserver.room_id}
    world.destination("room", "matrix", config, "not-a-token")
    world.minutes("Résumé.")
    world.run_jobs()
    [delivery] = world.deliveries()
    assert delivery.state == "failed" and "HTTP 401" in delivery.error and "credentials" in delivery.fix


def test_api_keeps_secrets_in_and_shows_each_deliverys_state(tmp_path: Path) -> None:
    from servers import Service, seed_account, service_env

    token = seed_account(tmp_path, "acme", "ana@acme.example", "correct horse battery")
    with targets.webhook_receiver() as hook:
        env = service_env(tmp_path, delivery_key=new_key(), delivery_backoff_s=0.2)
        service = Service(env, tmp_path / "serve.log").start()
        try:
            client = service.client(token)
            body = {"name": "hook", "kind": "webhook", "config": {"url": hook.url}, "secret": hook.key}
            created = client.post("/api/destinations", json=body)
            assert created.status_code == 201, created.text
            assert hook.key not in created.text and created.json()["has_secret"] is True
            listed = client.get("/api/destinations")
            assert hook.key not in listed.text and listed.json()[0]["config"]["url"] == hook.url
            bad = client.post("/api/destinations", json={**body, "name": "h2", "config": {"url": "ftp://x"}})
            assert bad.status_code == 400 and "http(s) URL" in bad.json()["error"]["message"]

            db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
            with db.write() as session:
                organisation = session.scalar(select(Organisation.id))
                meeting = Meeting(
                    organisation_id=organisation, title=TITLE, filename="a.wav", audio_key="x", audio_bytes=0
                )
                session.add(meeting)
            transcript = Transcript(language="fr", duration=1.0, segments=(Segment(0, 0.0, 1.0, "Bonjour."),))
            add_version(db, meeting.id, transcript.to_dict(), author="test")
            db.dispose()

            missing = client.post(f"/api/meetings/{meeting.id}/deliveries", json={"event": "minutes.ready"})
            assert missing.status_code == 400 and "no minutes" in missing.json()["error"]["message"]
            done = targets.deliver_now(client, meeting.id, "meeting.transcribed", ["hook"])
            assert done["state"] == "sent" and done["destination"] == "hook"
            assert [e["event"] for e in hook.events] == ["meeting.transcribed"]
            again = client.post(f"/api/meetings/{meeting.id}/deliveries/{done['id']}/resend")
            assert again.status_code == 400 and "only a failed delivery" in again.json()["error"]["message"]
            marked = client.put(f"/api/meetings/{meeting.id}/delivery", json={"health_data": True})
            assert marked.json() == {"health_data": True, "destinations": None, "participants": []}
            people = {"participants": ["  Chloé Petit <chloe@acme.example>", "bob@acme.example"]}
            listed = client.put(f"/api/meetings/{meeting.id}/delivery", json=people)
            assert listed.json()["participants"] == ["Chloé Petit <chloe@acme.example>", "bob@acme.example"]
            nameless = client.put(f"/api/meetings/{meeting.id}/delivery", json={"participants": ["Bob"]})
            assert nameless.status_code == 422 and "'Bob' has no e-mail address" in nameless.text
            kept = client.get(f"/api/meetings/{meeting.id}/delivery")  # the refused list changed nothing
            assert kept.json() == {**listed.json(), "health_data": True}
            assert client.get(f"/api/meetings/{uuid.uuid4()}/delivery").status_code == 404
        finally:
            service.stop()
    assert hook.key not in service.output()


def test_a_transcribed_meeting_and_its_minutes_reach_the_default_destination(tmp_path: Path) -> None:
    """The whole path in `greffier serve`: upload, transcription, minutes (no model: key passages); each
    finished job owes its result to the default destination, delivered by a job of the deliver queue."""
    from conftest import eval_file
    from servers import Service, seed_account, service_env, upload, wait_for, wait_job

    token = seed_account(tmp_path, "acme", "ana@acme.example", "correct horse battery")
    with targets.webhook_receiver() as hook:
        env = service_env(tmp_path, delivery_key=new_key(), llm_backend="none")
        service = Service(env, tmp_path / "serve.log").start()
        try:
            client = service.client(token)
            body = {"name": "crm", "kind": "webhook", "config": {"url": hook.url}, "secret": hook.key}
            assert client.post("/api/destinations", json={**body, "default": True}).status_code == 201
            audio = eval_file("sppas-samples/samples/samples-fra/AC track_0379.wav")
            meeting = upload(client, audio, language="fr", title="Conseil de classe")
            assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
            wait_for(lambda: hook.events, 60, "meeting.transcribed")
            minutes = client.post(f"/api/meetings/{meeting['id']}/minutes").json()
            assert wait_job(client, minutes["id"])["state"] == "succeeded"
            wait_for(lambda: len(hook.events) == 2, 60, "minutes.ready")
            url = f"/api/meetings/{meeting['id']}/deliveries"
            deliveries = client.get(url).json()
        finally:
            service.stop()
    transcribed, ready = hook.events
    assert transcribed["event"] == "meeting.transcribed" and transcribed["data"]["version"] == 1
    assert ready["event"] == "minutes.ready" and ready["meeting"]["title"] == "Conseil de classe"
    assert ready["data"]["minutes"]["key_passages"], "without a model the minutes are the key passages"
    assert [(d["event"], d["state"]) for d in deliveries] == [
        ("meeting.transcribed", "sent"),
        ("minutes.ready", "sent"),
    ]


def test_an_smtp_server_down_then_back_gets_the_mail_once(world: World) -> None:
    with targets.smtp() as box:
        world.destination("mail", "email", _mail(box, ca_file=str(box.ca_file)))
        box.stop()
        _back_after_a_failed_try(world, box.start)
        world.minutes("Résumé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent", delivery.error
        assert delivery.attempts > 1 and len(box.received) == 1


def test_admin_adds_lists_and_removes_destinations_from_the_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from servers import service_env

    env = service_env(tmp_path, delivery_key=new_key())

    def greffier(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "greffier", *args]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=120)

    assert greffier("admin", "create-org", "acme").returncode == 0
    room = ["--set", "homeserver=https://matrix.acme.example", "--set", "room=#cr:acme.example"]
    added = greffier(
        *("admin", "destination", "add", "twake", "--org", "acme", "--kind", "matrix", "--default"),
        *(*room, "--secret-stdin"),
        stdin="syt_bot_token\n",
    )
    assert added.returncode == 0 and "destination 'twake' (matrix) added" in added.stdout
    listed = greffier("admin", "destination", "list", "--org", "acme")
    assert listed.stdout.startswith("twake\tmatrix\t") and "default" in listed.stdout
    assert "syt_bot_token" not in listed.stdout
    no_secret = greffier("admin", "destination", "add", "t2", "--org", "acme", "--kind", "matrix", *room)
    assert no_secret.returncode == 2 and "needs a secret" in no_secret.stderr
    bad = greffier(
        "admin", "destination", "add", "x", "--org", "acme", "--kind", "webdav", "--set", "url=dav"
    )
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr
    assert greffier("admin", "destination", "remove", "twake", "--org", "acme").returncode == 0
    assert greffier("admin", "destination", "list", "--org", "acme").stdout == ""


def test_email_goes_to_the_meetings_participants_with_an_address(world: World) -> None:
    from greffier.app.delivery import configure_meeting

    participants = ["Chloé Petit <chloe@acme.example>", "ana@acme.example"]
    configure_meeting(
        world.db,
        world.organisation_id,
        world.meeting_id,
        health_data=None,
        destinations=None,
        defaults=False,
        participants=participants,
    )
    with targets.smtp() as box:
        world.destination("mail", "email", _mail(box, ca_file=str(box.ca_file)))
        world.minutes("Le budget est validé.")
        world.run_jobs()
        [delivery] = world.deliveries()
        assert delivery.state == "sent", delivery.error
        [(to, _)] = box.received
    assert to == ["direction@acme.example", "chloe@acme.example", "ana@acme.example"]  # each once
