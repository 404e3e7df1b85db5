"""The SAMU-Hub client and its outbox against a real RabbitMQ (Debian's `rabbitmq-server`, configured
like the hub's `rabbitmq.conf`: TLS 1.2, client certificates, EXTERNAL authentication): the broker
stopped in the middle of a call, the case delivered once after it restarts, a refusal shown."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import amqp
import pytest

from bench.calls_where import ADDRESS_BASE, where_calls
from greffier.calls.extract import new_form, update
from greffier.calls.share import LiveShare
from greffier.calls.simsamu import load_simsamu
from greffier.config import Settings
from greffier.errors import GreffierError
from greffier.hub.client import HubConnection, connect
from greffier.hub.relay import deliver, queue_message
from greffier.store.accounts import create_organisation
from greffier.store.db import Database
from greffier.store.models import HubOutboxState, utcnow
from tests.hub_schemas import errors
from tests.rabbitmq import EXCHANGE, VHOST, Broker, available

SAMU, LRM = "fr.health.samu031", "fr.health.samu031.lrm"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if not available():
        pytest.fail("rabbitmq-server is not installed: run scripts/system-deps.sh (make test does)")
    b = Broker(
        tmp_path_factory.mktemp("rabbitmq"),
        _free_port(),
        _free_port(),
        [SAMU, LRM],
        _free_port(),
        _free_port(),
    )
    b.configure()
    b.start()
    try:
        b.setup_hub()
        yield b
    finally:
        b.stop()


def _hub(broker: Broker, client: str) -> HubConnection:
    f = broker.folder
    return HubConnection(
        "127.0.0.1", broker.tls_port, VHOST, client, f / "ca.crt", f / f"{client}.crt", f / f"{client}.key"
    )


def _received(broker: Broker) -> list[dict]:
    """What the regulation software (the recipient) finds in its queue."""
    with connect(_hub(broker, LRM)) as connection:
        channel = connection.channel()
        out = []
        while (message := channel.basic_get(f"{LRM}.message")) is not None:
            out.append(json.loads(message.body))
            channel.basic_ack(message.delivery_tag)
        return out


def _answer(broker: Broker, message: dict, kind: str) -> None:
    """The recipient's RC-REF or RS-ERROR, sent back to this system's routing key."""
    envelope = {
        "distributionID": f"{LRM}_answer",
        "senderID": LRM,
        "distributionKind": kind,
        "content": [{"jsonContent": {"embeddedJsonContent": {"message": message}}}],
    }
    with connect(_hub(broker, LRM)) as connection:
        connection.channel().basic_publish(
            amqp.Message(json.dumps(envelope)), exchange=EXCHANGE, routing_key=SAMU
        )


def test_the_broker_stopped_in_the_middle_of_a_call(broker: Broker, tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    organisation = create_organisation(db, "samu31").id
    hub = _hub(broker, SAMU)
    settings = Settings(address_base=ADDRESS_BASE, hub_client_id=SAMU, hub_recipient_id=LRM)
    share = LiveShare(settings, datetime(2026, 12, 7, 1, 0, tzinfo=ZoneInfo("Europe/Paris")))
    transcript = load_simsamu(next(p for p in where_calls() if p.stem == "where_arret"))
    form, queued, stopped = new_form(call_id="where_arret"), [], False
    last = len(transcript.segments) - 1
    for i, segment in enumerate(transcript.segments):
        if queued and not stopped:  # the report is out, then the broker stops in the middle of the call
            first = deliver(db, hub)
            assert first.error is None and first.sent == queued
            broker.stop()
            stopped = True
        form, _ = update(form, [segment])
        for envelope in share.messages(form, datetime.now(ZoneInfo("Europe/Paris")), i == last):
            queued.append(queue_message(db, organisation, None, envelope).distribution_id)
    assert stopped and len(queued) >= 2
    down = deliver(db, hub)
    assert down.sent == [] and "unreachable" in down.error
    waiting = [r for r in outbox_of_all(db) if r.state == HubOutboxState.QUEUED]
    assert waiting and all(
        r.attempts == 1 and r.next_try > utcnow() and "unreachable" in r.error for r in waiting
    )
    broker.start()
    early = min(r.next_try for r in waiting) - timedelta(seconds=1)
    assert deliver(db, hub, now=early).sent == []  # backing off: not before its next try
    later = deliver(db, hub, now=utcnow() + timedelta(seconds=5))
    assert later.error is None and sorted(later.sent) == sorted(r.distribution_id for r in waiting)
    assert deliver(db, hub, now=utcnow() + timedelta(hours=1)).sent == []  # never twice
    got = _received(broker)
    assert sorted(m["distributionID"] for m in got) == sorted(queued)  # each once, none lost
    assert got[0]["distributionKind"] == "Report" and {m["distributionKind"] for m in got[1:]} == {"Update"}
    for m in got:
        assert errors("EDXL-DE-full.schema.json", m) == []

    report, update_id = queued[0], queued[-1]
    _answer(broker, {"reference": {"distributionID": report}}, "Ack")
    _answer(
        broker,
        {
            "error": {
                "errorCode": {"statusCode": 400, "statusString": "INVALID_MESSAGE"},
                "errorCause": "patient.detail.age: invalid",
                "referencedDistributionID": update_id,
            }
        },
        "Error",
    )
    answers = deliver(db, hub)
    assert answers.acknowledged == [report] and answers.refused == [update_id]
    rows = {r.distribution_id: r for r in outbox_of_all(db)}
    assert rows[report].state == "acknowledged" and rows[report].acknowledged_at is not None
    refused = rows[update_id]
    assert refused.state == "refused" and refused.error == "400 INVALID_MESSAGE: patient.detail.age: invalid"
    assert refused.fix and "share it again" in refused.fix


def outbox_of_all(db: Database):
    from sqlalchemy import select

    from greffier.store.models import HubOutbox

    with db.read() as session:
        return list(session.scalars(select(HubOutbox)))


def test_a_client_without_a_certificate_of_the_hub_is_refused(broker: Broker, tmp_path) -> None:
    from tests.rabbitmq import make_certificates

    make_certificates(tmp_path, [SAMU])  # another CA: the broker does not know it
    stranger = HubConnection(
        "127.0.0.1",
        broker.tls_port,
        VHOST,
        SAMU,
        tmp_path / "ca.crt",
        tmp_path / f"{SAMU}.crt",
        tmp_path / f"{SAMU}.key",
    )
    with pytest.raises(Exception) as refused:
        connect(stranger).close()
    assert "certificate" in str(refused.value).lower() or "ssl" in type(refused.value).__name__.lower()


def test_unconfigured_hub_says_what_to_set() -> None:
    with pytest.raises(GreffierError) as missing:
        HubConnection.of(Settings(hub_host=None))
    assert "hub_host" in missing.value.problem and "GREFFIER_HUB_CERT" in missing.value.fix
