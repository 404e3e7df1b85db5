"""Audio and result files, addressed by keys like `orgs/<uuid>/meetings/<uuid>/audio.wav`.

A folder now (shared by every worker in scaled mode); an S3-compatible store can implement the same
methods later. Keys are checked twice: against a strict pattern (no `..`, no absolute paths, no
backslashes) and, once resolved, against the root, so that no key can reach outside the store.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from greffier.errors import GreffierError

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT}){{0,15}}")
_CHUNK = 1 << 20


class BlobKeyError(GreffierError, ValueError):
    """A blob key that could name a file outside the store."""


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The local file of `key` (for readers that need a path, such as the audio decoder)."""
        if not _KEY.fullmatch(key):
            raise BlobKeyError(f"invalid blob key {key!r}", "keys are '/'-separated [A-Za-z0-9._-] names")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise BlobKeyError(f"blob key {key!r} leaves the store", "use a relative key without '..'")
        return path

    def put(self, key: str, source: BinaryIO) -> int:
        """Copy a stream into `key` atomically (a reader never sees half a file); returns the size."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
                size = out.tell()
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        return self.put(key, io.BytesIO(data))

    def get_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete_prefix(self, prefix: str) -> None:
        """Erase every blob under `prefix` (a folder of keys)."""
        path = self.path(prefix)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
