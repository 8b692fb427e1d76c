from typing import Literal

from fastapi import APIRouter, Request, UploadFile
from pydantic import BaseModel

from recall.auth import permissions
from recall.deps import require
from recall.errors import InvalidField
from recall.imports.parsers import ImportFileError, parse_document
from recall.imports.service import import_notices

router = APIRouter(tags=["overseas recall intake"])
MAX_BYTES = 64 * 1024 * 1024


class RejectionOut(BaseModel):
    index: int
    recall_number: str | None
    reason: str


class ImportOut(BaseModel):
    imported: int
    skipped: int
    rejected: int
    rejections: list[RejectionOut]


@router.post(
    "/imports/{source}",
    response_model=ImportOut,
    dependencies=[
        require(
            permissions.may_import_notices, "only admins and regulators import overseas notices"
        )
    ],
)
async def import_file(source: Literal["cpsc", "openfda"], file: UploadFile, request: Request):
    """A saved CPSC Recalls API response or openFDA enforcement response, as the `file` field of
    a multipart form; each notice becomes an `overseas_recall` defect report, once."""
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidField(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", field="file")
    try:
        records = parse_document(data, source, name=file.filename or "upload")
    except ImportFileError as err:
        raise InvalidField(err.message, field="file") from None
    result = await import_notices(request.app.state.sessionmaker, source, records)
    return ImportOut(
        imported=result.imported,
        skipped=result.skipped,
        rejected=len(result.rejected),
        rejections=[
            RejectionOut(index=r.index, recall_number=r.key, reason=r.reason)
            for r in result.rejected
        ],
    )
