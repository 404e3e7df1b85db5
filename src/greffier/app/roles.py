"""Who may do what in an organisation: its admins manage where its meetings are delivered."""

from __future__ import annotations

from greffier.errors import Forbidden
from greffier.store.accounts import Principal, role_of
from greffier.store.db import Database
from greffier.store.models import Role


def require_admin(db: Database, principal: Principal, what: str) -> None:
    """Refuse (`Forbidden`) unless the caller is an admin of their organisation; `what` names the act."""
    if role_of(db, principal) != Role.ADMIN:
        raise Forbidden(
            f"only an admin of the organisation can {what}, and {principal.email} is a member",
            f"ask an admin to do it, or to make you one: greffier admin set-role {principal.email} admin",
        )
