"""E-mail over SMTP with STARTTLS (never in clear): the minutes as text and HTML, the Word file
attached, to the destination's list and the meeting's participants who have an address (those the
meeting lists, and speakers named by an address). The Message-ID
is the same for the same minutes version on every try, so mail clients and archives keep one."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import Any

from greffier.delivery.errors import Refused, Transient
from greffier.delivery.message import compose
from greffier.delivery.target import Target

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def message_id(target: Target) -> str:
    package = target.package
    domain = target.config.sender.rpartition("@")[2]
    return f"<{package.event}.{package.source}.{package.meeting_id.hex}@{domain}>"


def recipients(target: Target) -> list[str]:
    found = list(target.config.recipients)
    if target.config.participants and target.package.minutes is not None:
        named = [*target.package.participants, *target.package.minutes.speakers.values()]
        for _, address in getaddresses(named):
            if "@" in address and address not in found:
                found.append(address)
    return found


def build(target: Target, to: list[str]) -> EmailMessage:
    text = compose(target.package)
    mail = EmailMessage()
    mail["Subject"] = text.subject
    mail["From"] = target.config.sender
    mail["To"] = ", ".join(to)
    mail["Message-ID"] = message_id(target)
    mail["Date"] = format_datetime(target.package.created)
    mail.set_content(text.text)
    mail.add_alternative(text.html, subtype="html")
    docx = target.package.files.get("Minutes.docx")
    if docx is not None:
        maintype, subtype = DOCX.split("/")
        mail.add_attachment(
            docx, maintype=maintype, subtype=subtype, filename=f"{target.package.folder}.docx"
        )
    return mail


def deliver(target: Target) -> dict[str, Any]:
    config = target.config
    to = recipients(target)
    if not to:
        raise Refused(
            "no one to send the minutes to: the destination lists no recipient and no speaker has an address",
            "add recipients to the destination, or name speakers by their address",
        )
    context = ssl.create_default_context(cafile=config.ca_file)
    server = f"SMTP server {config.host}:{config.port}"
    try:
        with smtplib.SMTP(config.host, config.port, timeout=target.timeout_s) as smtp:
            smtp.starttls(context=context)
            if config.username:
                smtp.login(config.username, target.secret or "")
            refused = smtp.send_message(build(target, to), to_addrs=to)
    except smtplib.SMTPNotSupportedError as exc:
        raise Refused(
            f"{server} does not offer STARTTLS", "enable STARTTLS on it (Greffier never sends in clear)"
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise Refused(
            f"{server} refused the login: {exc.smtp_error!r}", "check the username and password"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise Refused(
            f"{server} refused every recipient: {sorted(exc.recipients)}", "check the addresses"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        problem = f"{server} answered {exc.smtp_code} {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise Transient(problem, "it is retried with back-off") from exc
        raise Refused(problem, "check the sender and the server's relay rules") from exc
    except ssl.SSLError as exc:
        raise Refused(
            f"{server}: TLS failed ({exc})", "give the server's CA in ca_file, or fix its certificate"
        ) from exc
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise Transient(
            f"{server} cannot be reached ({exc.__class__.__name__}: {exc})", "it is retried with back-off"
        ) from exc
    return {"message_id": message_id(target), "to": to, "refused": sorted(refused)}
