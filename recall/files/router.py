"""Evidence files over HTTP: uploaded by any signed-in principal, served as downloads that no
browser renders in the application's origin (a file is the uploader's content, not ours)."""

from urllib.parse import quote

from fastapi import APIRouter, Request, Response, UploadFile

from recall.common.responses import AWAY, errors
from recall.deps import CurrentPrincipal, SessionDep
from recall.desk.pages import NotSignedIn, person, render, to_login
from recall.errors import NotFound
from recall.files.models import StoredFile
from recall.files.schemas import FileOut
from recall.files.service import readable_file, store_file
from recall.files.sniff import ACCEPTED

router = APIRouter(tags=["evidence files"])
pages = APIRouter(include_in_schema=False)  # the same downloads for a person signed in

BINARY = {"type": "string", "format": "binary"}
NOT_READABLE = "no such file, or not visible to the caller"
UPLOAD_ERRORS = errors(
    {
        413: "`too_large` naming `file`: the upload is over RECALL_MAX_UPLOAD_MB (default 20 MB)",
        415: "`unsupported_media_type` naming `file`: its content is not a PNG, JPEG or WebP "
        "image or a PDF (whatever its name or declared type)",
        422: "`invalid_field` naming `file`: missing or empty",
        503: AWAY,
    }
)
DOWNLOAD_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in {
        "Content-Disposition": "attachment, with the file's name (RFC 5987 `filename*`)",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "ETag": "the SHA-256 of the bytes, quoted",
        "X-Checksum-SHA256": "the SHA-256 of the bytes, in hex",
    }.items()
}


def download(stored: StoredFile) -> Response:
    """The bytes as an attachment that a browser neither sniffs, caches nor runs in our origin."""
    return Response(
        stored.content,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{stored.sha256}"',
            "X-Checksum-SHA256": stored.sha256,
        },
    )


@router.post("/files", status_code=201, response_model=FileOut, responses=UPLOAD_ERRORS)
async def upload_file(file: UploadFile, session: SessionDep, principal: CurrentPrincipal):
    """Upload an evidence file (a photo, a test report) as the `file` field of a multipart form.
    Its type is judged by its content: PNG, JPEG, WebP or PDF. Until an act of a case cites it
    (`evidence_file_ids`), only its uploader may read it; then whoever may see the case."""
    # No larger than RECALL_MAX_UPLOAD_MB: the body limit (recall.common.edge) stops the form
    # as it streams, 413 naming `file`; the parser has spooled the file to disk meanwhile.
    data = await file.read()
    stored = await store_file(session, name=file.filename or "", data=data, principal=principal)
    return FileOut.model_validate(stored, from_attributes=True)


@router.get(
    "/files/{file_id}",
    response_class=Response,
    responses={
        200: {
            "content": {kind: {"schema": BINARY} for kind in ACCEPTED},
            "description": "the bytes as uploaded, with their (sniffed) content type",
            "headers": DOWNLOAD_HEADERS,
        },
        **errors({404: NOT_READABLE, 503: AWAY}),
    },
)
async def get_file(file_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """An evidence file's bytes, as a download. Whoever may see the case that cites it; while no
    case does, its uploader (and admins). Anyone else gets 404."""
    return download(await readable_file(session, file_id, principal))


@pages.get("/desk/files/{file_id}")
async def desk_file(file_id: str, request: Request, session: SessionDep) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    try:
        stored = await readable_file(session, file_id, principal)
    except NotFound:
        return render(request, "not_found.html", principal, 404)
    return download(stored)
