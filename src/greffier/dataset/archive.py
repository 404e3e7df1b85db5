"""An export folder as one zip file with the same bytes for the same files: names sorted, fixed
dates and permissions (what `zipfile` would otherwise take from the clock and the file system)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

MEDIA_TYPE = "application/zip"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold


def pack(root: Path, files: Iterable[Path]) -> bytes:
    """`files` (under `root`) as a zip whose entries are their paths relative to `root`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(Path(f) for f in files):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system writes it
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
