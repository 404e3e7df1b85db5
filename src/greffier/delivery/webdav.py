"""A WebDAV folder (Nextcloud, ownCloud, any drive speaking RFC 4918): the files of the delivery under
`<folder>/<date> <title>/`, each PUT to the same path again on a rewrite (replacing it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from greffier.delivery.target import Target, request

_FIX = "check the folder's URL and that the account may write there"


def deliver(target: Target) -> dict[str, Any]:
    config = target.config
    auth = (config.username, target.secret or "") if config.username else None
    folder = f"{config.url}/{quote(target.package.folder)}"
    with httpx.Client(auth=auth, timeout=target.timeout_s) as client:
        # 405: the folder exists already (a rewrite, or a retry)
        request(client, "MKCOL", folder + "/", what=f"WebDAV folder {config.url}", fix=_FIX, ok=(405,))
        paths = []
        for name, content in target.package.files.items():
            url = f"{folder}/{quote(name)}"
            request(client, "PUT", url, what=f"WebDAV {config.url}", fix=_FIX, content=content)
            paths.append(f"{target.package.folder}/{name}")
    return {"paths": paths}
