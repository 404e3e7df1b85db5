"""The SAMU-Hub AMQP client: AMQP 0-9-1 over TLS 1.2 with a client certificate (EXTERNAL
authentication: the certificate's common name is the client id), exchange `hubsante`, one virtual
host per model version, published with the recipient's client id as routing key, received from
`<client_id>.message` (as the hub's reference client, `shared/specs/samu-hub/hub/`, does)."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import amqp

from greffier.config import Settings
from greffier.errors import GreffierError

EXCHANGE = "hubsante"
BROKER_ERRORS = (OSError, ssl.SSLError, amqp.exceptions.AMQPError, amqp.exceptions.ConnectionError)
"""What a broker that is down, unreachable or refusing this client raises."""


@dataclass(frozen=True)
class HubConnection:
    host: str
    port: int
    vhost: str
    client_id: str
    ca: Path
    cert: Path
    key: Path

    @property
    def queue(self) -> str:
        return f"{self.client_id}.message"

    @classmethod
    def of(cls, settings: Settings) -> HubConnection:
        """The connection the settings describe; a clear error when one is missing."""
        missing = [
            name for name in ("hub_host", "hub_ca", "hub_cert", "hub_key") if getattr(settings, name) is None
        ]
        if missing:
            raise GreffierError(
                f"SAMU-Hub is not configured: no {', '.join(missing)}",
                "set GREFFIER_HUB_HOST and the certificate files GREFFIER_HUB_CA, GREFFIER_HUB_CERT, GREFFIER_HUB_KEY",
            )
        assert settings.hub_host and settings.hub_ca and settings.hub_cert and settings.hub_key
        return cls(
            settings.hub_host,
            settings.hub_port,
            settings.hub_vhost,
            settings.hub_client_id,
            settings.hub_ca,
            settings.hub_cert,
            settings.hub_key,
        )


def connect(hub: HubConnection, timeout: float = 10) -> amqp.Connection:
    """An open connection (TLS 1.2 or later, the broker's certificate checked against `hub.ca`).

    py-amqp takes its TLS options as a dict (an `SSLContext` given to it would be ignored)."""
    tls = {
        "ca_certs": str(hub.ca),
        "certfile": str(hub.cert),
        "keyfile": str(hub.key),
        "cert_reqs": ssl.CERT_REQUIRED,
        "server_hostname": hub.host,
        "tls_minimum_version": ssl.TLSVersion.TLSv1_2,
    }
    connection = amqp.Connection(
        f"{hub.host}:{hub.port}",
        virtual_host=hub.vhost,
        ssl=tls,
        login_method="EXTERNAL",
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
    )
    connection.connect()
    return connection


def publish(channel: amqp.Channel, envelope: dict[str, Any], recipient: str) -> None:
    """One persistent JSON message, confirmed by the broker before this returns (`confirm_select`)."""
    channel.basic_publish(
        amqp.Message(
            json.dumps(envelope, ensure_ascii=False),
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=envelope["distributionID"],
        ),
        exchange=EXCHANGE,
        routing_key=recipient,
    )
