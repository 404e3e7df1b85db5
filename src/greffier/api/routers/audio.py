"""/api/meetings/{id}/audio: the recording as uploaded, with HTTP range requests so that a player can
seek without downloading the whole file. Its type is the one its decoder finds (audio, or bytes),
never one that a browser would render as a page."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from fastapi import APIRouter
from fastapi.responses import FileResponse

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.app import meetings

router = APIRouter(prefix="/api/meetings", tags=["meetings"], responses=ERROR_RESPONSES)


@router.get(
    "/{meeting_id}/audio",
    summary="The recording (supports Range requests, for seeking)",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"audio/*": {}, "application/octet-stream": {}},
            "description": "the recording as uploaded",
        },
        206: {"description": "the requested byte range"},
    },
)
def get_audio(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> FileResponse:
    meeting, path, recording = meetings.recording(services, principal, meeting_id)
    return FileResponse(
        path,
        media_type=recording.media_type,
        headers={"Cache-Control": "private, max-age=3600"},
        content_disposition_type="inline",
        filename=PurePosixPath(meeting.filename).stem + recording.suffix,
    )
