"""The minutes as a short message for a chat room or an e-mail: summary, decisions, action items
with their owners, and the link to the meeting; plain text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass

from greffier.assist.render import labels
from greffier.delivery.content import Package


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def _lines(package: Package) -> list[tuple[str, list[str]]]:
    minutes = package.minutes
    if minutes is None:
        return []
    lab = labels(minutes.language)
    actions = []
    for item in minutes.action_items:
        due = f" ({lab['due']}{lab[':']} {item.due})" if item.due else ""
        actions.append(f"{item.owner or lab['unassigned']}{lab[':']} {item.task}{due}")
    return [
        (lab["summary"], [minutes.summary or lab["none"]]),
        (lab["decisions"], [point.text for point in minutes.decisions] or [lab["none"]]),
        (lab["actions"], actions or [lab["none"]]),
    ]


def compose(package: Package) -> Message:
    lab = labels(package.minutes.language if package.minutes else "fr")
    subject = f"{lab['untitled']}{lab[':']} {package.title} ({package.created:%Y-%m-%d})"
    text, markup = [subject, ""], [f"<h3>{html.escape(subject)}</h3>"]
    for heading, lines in _lines(package):
        text += [f"{heading}{lab[':']}", *(f"- {line}" for line in lines), ""]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        markup.append(f"<p><strong>{html.escape(heading)}</strong></p><ul>{items}</ul>")
    if package.link:
        text.append(package.link)
        markup.append(f'<p><a href="{html.escape(package.link)}">{html.escape(package.link)}</a></p>')
    return Message(subject=subject, text="\n".join(text).rstrip() + "\n", html="".join(markup))
