"""A real RabbitMQ (Debian's `rabbitmq-server`) on loopback, configured like the hub's
`hub/rabbitmq.conf`: TLS 1.2 with peer verification, EXTERNAL authentication by the client
certificate's common name, one virtual host per model version, the `hubsante` exchange and one
`<client_id>.message` queue per client; its certificates made here (`cryptography`)."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import amqp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BIN = Path("/usr/lib/rabbitmq/bin")
"""Debian's scripts themselves: /usr/sbin/rabbitmq-* switch to the rabbitmq user, who cannot write here."""
VHOST = "15-15_v2.0"
EXCHANGE = "hubsante"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def make_certificates(folder: Path, clients: list[str]) -> None:
    """ca.crt; server.crt/.key (127.0.0.1); <client>.crt/.key for each client id (its common name)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("greffier test CA"))
        .issuer_name(_name("greffier test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for cn, server in [("localhost", True)] + [(c, False) for c in clients]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
        )
        if server:
            import ipaddress

            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        name = "server" if server else cn
        (folder / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, folder / f"{name}.key")


@dataclass
class Broker:
    folder: Path
    tcp_port: int
    tls_port: int
    clients: list[str]
    dist_port: int = 0
    epmd_port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def node(self) -> str:
        return f"greffier{self.tcp_port}@localhost"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "HOME": str(self.folder),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_PID_FILE": str(self.folder / "rabbit.pid"),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_CRASH_DUMP": str(self.folder / "erl_crash.dump"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.folder / "mnesia" / "feature_flags"),
        }

    def configure(self) -> None:
        for sub in ("mnesia", "log"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        make_certificates(self.folder, self.clients)
        (self.folder / "enabled_plugins").write_text("[rabbitmq_auth_mechanism_ssl].\n")
        (self.folder / "rabbitmq.conf").write_text(
            f"""loopback_users.guest = false
default_user = admin
default_pass = admin
listeners.tcp.1 = 127.0.0.1:{self.tcp_port}
listeners.ssl.1 = 127.0.0.1:{self.tls_port}
ssl_options.certfile = {self.folder}/server.crt
ssl_options.keyfile = {self.folder}/server.key
ssl_options.cacertfile = {self.folder}/ca.crt
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
ssl_options.versions.1 = tlsv1.2
auth_mechanisms.1 = PLAIN
auth_mechanisms.2 = EXTERNAL
ssl_cert_login_from = common_name
"""
        )

    def ctl(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> None:
        log = (self.folder / "server.log").open("a")
        self.process = subprocess.Popen(
            [str(BIN / "rabbitmq-server")],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rabbitmq-server exited: see {self.folder / 'server.log'}")
            try:
                self.ctl("await_startup", "--timeout", "5")
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                time.sleep(1)
        raise RuntimeError("rabbitmq-server did not start in 180 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
        subprocess.run(["epmd", "-port", str(self.epmd_port), "-kill"], capture_output=True, env=self.env())

    def setup_hub(self) -> None:
        """The virtual host, one user per client id (EXTERNAL: the certificate's common name), the
        exchange and each client's queue, bound to its id."""
        self.ctl("add_vhost", VHOST)
        for client in self.clients:
            self.ctl("add_user", client, os.urandom(8).hex())
            self.ctl("set_permissions", "-p", VHOST, client, ".*", ".*", ".*")
        with amqp.Connection(
            f"127.0.0.1:{self.tcp_port}", userid="admin", password="admin", virtual_host="/"
        ) as c:
            pass
        self.ctl("set_permissions", "-p", VHOST, "admin", ".*", ".*", ".*")
        with amqp.Connection(
            f"127.0.0.1:{self.tcp_port}", userid="admin", password="admin", virtual_host=VHOST
        ) as c:
            ch = c.channel()
            ch.exchange_declare(EXCHANGE, "direct", durable=True, auto_delete=False)
            for client in self.clients:
                ch.queue_declare(f"{client}.message", durable=True, auto_delete=False)
                ch.queue_bind(f"{client}.message", EXCHANGE, routing_key=client)


def available() -> bool:
    return (BIN / "rabbitmq-server").exists()
