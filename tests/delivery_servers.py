"""Real delivery targets on loopback for the delivery tests: a WsgiDAV folder, an aiosmtpd SMTP server
that requires STARTTLS (self-signed certificate), a webhook receiver that checks signatures, and a
Synapse homeserver with a registered bot and a room.

Synapse (PyPI matrix-synapse) pins packages of its own: it runs from a virtual environment of its
own under the cache folder (`GREFFIER_SYNAPSE_VENV`, default ~/.cache/greffier-test/synapse-venv),
created by `scripts/synapse-venv.sh`; its tests fail, saying so, where it is missing.
Ports: 18600-18699.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from servers import free_port, wait_for

PORTS = range(18600, 18700)
SYNAPSE_VENV = Path(
    os.environ.get("GREFFIER_SYNAPSE_VENV", Path.home() / ".cache" / "greffier-test" / "synapse-venv")
)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


# -- WebDAV -------------------------------------------------------------------------------------------
@dataclass
class WebDAV:
    url: str
    root: Path
    user: str
    password: str
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(method, path) of every request, in order."""


@contextmanager
def webdav(user: str = "bot", password: str = "dav-secret", anonymous: bool = False) -> Iterator[WebDAV]:
    """WsgiDAV serving a temporary folder at /dav, for `user` (basic auth), or anyone (`anonymous`)."""
    with tempfile.TemporaryDirectory(prefix="greffier-dav-") as folder:
        yield from _webdav(Path(folder), user, password, anonymous)


def _webdav(root: Path, user: str, password: str, anonymous: bool) -> Iterator[WebDAV]:
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    port = free_port(PORTS)
    app = WsgiDAVApp(
        {
            "host": "127.0.0.1",
            "port": port,
            "provider_mapping": {"/": str(root)},
            "simple_dc": {"user_mapping": {"*": True if anonymous else {user: {"password": password}}}},
            "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False},
            "verbose": 0,
            "logging": {"enable": False},
            "property_manager": True,
            "lock_storage": True,
        }
    )
    server = WebDAV(f"http://127.0.0.1:{port}/dav", root, user, password)
    (root / "dav").mkdir()

    def logged(environ: dict[str, Any], start_response: Any) -> Any:
        server.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return app(environ, start_response)

    httpd = wsgi.Server(("127.0.0.1", port), logged)
    httpd.prepare()
    thread = threading.Thread(target=httpd.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.stop()


# -- SMTP ---------------------------------------------------------------------------------------------
@dataclass
class Mailbox:
    host: str
    port: int
    ca_file: Path
    received: list[tuple[list[str], Message]] = field(default_factory=list)
    tls_seen: list[bool] = field(default_factory=list)
    _tls: ssl.SSLContext | None = None
    _controller: Any = None

    def start(self) -> None:
        """(Again) listen; aiosmtpd's Controller cannot restart, so each start makes a new one."""
        from aiosmtpd.controller import Controller

        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                box.tls_seen.append(session.ssl is not None)
                message = message_from_bytes(envelope.original_content, policy=policy.default)
                box.received.append((list(envelope.rcpt_tos), message))
                return "250 OK"

        self._controller = Controller(
            Handler(), hostname=self.host, port=self.port, tls_context=self._tls, require_starttls=True
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp() -> Iterator[Mailbox]:
    """aiosmtpd requiring STARTTLS before MAIL FROM; keeps (recipients, message) of each mail."""
    with tempfile.TemporaryDirectory(prefix="greffier-smtp-") as folder:
        yield from _smtp(Path(folder))


def _smtp(folder: Path) -> Iterator[Mailbox]:
    cert, key = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox("127.0.0.1", free_port(PORTS), cert, _tls=context)
    box.start()
    try:
        yield box
    finally:
        box.stop()


# -- webhook ------------------------------------------------------------------------------------------
@dataclass
class Receiver:
    url: str
    key: str
    events: list[dict[str, Any]] = field(default_factory=list)
    """Each accepted POST whose signature was right, in order."""
    bad_signatures: int = 0
    drop_next: int = 0
    """Read the next N bodies, then hang up without answering (a receiver dying mid-request)."""
    _server: ThreadingHTTPServer | None = None
    _port: int = 0

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.drop_next:
                    receiver.drop_next -= 1
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                expected = "sha256=" + hmac.new(receiver.key.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Greffier-Signature", "")):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                event = json.loads(body)
                event["_headers"] = {k.lower(): v for k, v in self.headers.items()}
                receiver.events.append(event)
                self.send_response(204)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def webhook_receiver(key: str = "hook-signing-key") -> Iterator[Receiver]:
    port = free_port(PORTS)
    receiver = Receiver(f"http://127.0.0.1:{port}/hook", key, _port=port).start()
    try:
        yield receiver
    finally:
        receiver.stop()


# -- Synapse ------------------------------------------------------------------------------------------
@dataclass
class Homeserver:
    url: str
    bot: str
    password: str
    room_id: str
    reader_token: str
    """A second user in the room, to read the messages back as a person would."""

    def messages(self) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/_matrix/client/v3/rooms/{self.room_id}/messages",
            params={"dir": "f", "limit": 100},
            headers={"Authorization": f"Bearer {self.reader_token}"},
            timeout=30,
        )
        response.raise_for_status()
        return [e for e in response.json()["chunk"] if e["type"] == "m.room.message"]


def synapse_available() -> bool:
    return (SYNAPSE_VENV / "bin" / "python").exists() and (
        SYNAPSE_VENV / "bin" / "register_new_matrix_user"
    ).exists()


def _register(url: str, secret: str, user: str, password: str) -> None:
    subprocess.run(
        [
            str(SYNAPSE_VENV / "bin" / "register_new_matrix_user"),
            "-u",
            user,
            "-p",
            password,
            "--no-admin",
            "-k",
            secret,
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _login(url: str, user: str, password: str) -> str:
    body = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
    }
    response = httpx.post(f"{url}/_matrix/client/v3/login", json=body, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


@contextmanager
def synapse() -> Iterator[Homeserver]:
    root = Path(tempfile.mkdtemp(prefix="greffier-synapse-"))
    port = free_port(PORTS)
    secret = "registration-shared-secret"
    python = str(SYNAPSE_VENV / "bin" / "python")
    subprocess.run(
        [
            python,
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            "localhost",
            "--config-path",
            str(root / "hs.yaml"),
            "--data-directory",
            str(root),
            "--generate-config",
            "--report-stats=no",
        ],
        check=True,
        capture_output=True,
        cwd=root,
        timeout=180,
    )
    unlimited = {"per_second": 1000, "burst_count": 1000}
    extra = {
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(root / "homeserver.db")}},
        "registration_shared_secret": secret,
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
        "rc_message": unlimited,
        "rc_login": {"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
        "rc_joins": {"local": unlimited, "remote": unlimited},
        "media_store_path": str(root / "media"),
    }
    config = root / "hs.yaml"
    merge = (
        "import json, sys, yaml; path = sys.argv[1]; config = yaml.safe_load(open(path)); "
        "config.update(json.loads(sys.argv[2])); config.pop('log_config', None); "
        "yaml.safe_dump(config, open(path, 'w'))"
    )
    subprocess.run([python, "-c", merge, str(config), json.dumps(extra)], check=True, timeout=60)
    log = open(root / "synapse.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [python, "-m", "synapse.app.homeserver", "--config-path", str(config)],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError((root / "synapse.log").read_text()[-3000:])
            try:
                return httpx.get(f"{url}/_matrix/client/versions", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, 180, "Synapse", interval=0.5)
        _register(url, secret, "greffier", "bot-password")
        _register(url, secret, "reader", "reader-password")
        reader = _login(url, "reader", "reader-password")
        created = httpx.post(
            f"{url}/_matrix/client/v3/createRoom",
            json={"room_alias_name": "minutes", "invite": ["@greffier:localhost"], "preset": "private_chat"},
            headers={"Authorization": f"Bearer {reader}"},
            timeout=30,
        )
        created.raise_for_status()
        yield Homeserver(url, "@greffier:localhost", "bot-password", created.json()["room_id"], reader)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def deliver_now(client: httpx.Client, meeting: str, event: str, destinations: list[str]) -> dict[str, Any]:
    """Ask the service to deliver `event` of `meeting` and wait for the one delivery to leave pending."""
    url = f"/api/meetings/{meeting}/deliveries"
    sent = client.post(url, json={"event": event, "destinations": destinations})
    assert sent.status_code == 202, sent.text
    [done] = wait_for(lambda: [d for d in client.get(url).json() if d["state"] != "pending"], 60, "delivery")
    return done
