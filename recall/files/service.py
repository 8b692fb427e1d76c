"""Evidence files: stored with their bytes in the database, cited by a case's acts, and read by
those who may see that case (until then, by their uploader alone)."""

import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.models import Case
from recall.common.types import new_id
from recall.errors import InvalidField, NotFound, UnsupportedMediaType
from recall.files.models import StoredFile
from recall.files.schemas import FileOut
from recall.files.sniff import PDF, sniff

MAX_CITED = 10  # evidence files one act may cite
MAX_NAME = 200  # the column's width
CITING_FIELD = "evidence_file_ids"
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", PDF: ".pdf"}


def clean_name(name: str, content_type: str) -> str:
    """The file's own name without any folder, control or unpaired surrogate characters, at
    most MAX_NAME characters (its extension kept); a name left empty becomes evidence.<ext>."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cs"))
    base = base.strip().strip(".").strip()
    if not base:
        return "evidence" + EXTENSIONS[content_type]
    if len(base) > MAX_NAME:
        suffix = PurePosixPath(base).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        base = base[: MAX_NAME - len(suffix)].rstrip() + suffix
    return base


async def store_file(
    session: AsyncSession, *, name: str, data: bytes, principal: Principal
) -> StoredFile:
    """Keep an uploaded file, its type judged by its bytes alone; committed."""
    if not data:
        raise InvalidField("file is empty", field="file")
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedMediaType(
            "file must be a PNG, JPEG or WebP image or a PDF (judged by its content, not its name)",
            field="file",
        )
    stored = StoredFile(
        id=new_id("file"),
        name=clean_name(name, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by=principal.actor,
    )
    session.add(stored)
    await session.commit()
    return stored


async def check_citable(
    session: AsyncSession, file_ids: list[str], principal: Principal, case_id: str
) -> None:
    """Every id names a file this principal uploaded and no case holds yet, or one this case
    already holds (an act sent again), each once. Anything else is 422 on evidence_file_ids,
    with the same words for a file that does not exist and one that is someone else's."""
    if len(file_ids) > MAX_CITED:
        raise InvalidField(f"at most {MAX_CITED} evidence files per act", field=CITING_FIELD)
    if not file_ids:
        return
    rows = await session.execute(
        select(StoredFile.id, StoredFile.uploaded_by, StoredFile.case_id).where(
            StoredFile.id.in_(file_ids)
        )
    )
    citable = {
        row.id
        for row in rows
        if row.case_id == case_id or (row.case_id is None and row.uploaded_by == principal.actor)
    }
    for file_id in file_ids:
        if file_id not in citable:
            raise InvalidField(
                f"unknown evidence file {file_id}: upload it first (POST /api/v1/files); "
                "only its uploader may cite it",
                field=CITING_FIELD,
            )
    if len(set(file_ids)) < len(file_ids):
        twice = next(f for i, f in enumerate(file_ids) if f in file_ids[:i])
        raise InvalidField(f"evidence file {twice} is named twice", field=CITING_FIELD)


async def attach(session: AsyncSession, case_id: str, file_ids: Iterable[str]) -> None:
    """Give the case the files its committed act cited. Idempotent; a file already held by a
    case stays with it. Does not commit: it runs inside the case projection's transaction."""
    ids = list(dict.fromkeys(file_ids))
    if not ids:
        return
    await session.execute(
        update(StoredFile)
        .where(StoredFile.id.in_(ids), StoredFile.case_id.is_(None))
        .values(case_id=case_id)
        .execution_options(synchronize_session=False)
    )


async def describe_files(session: AsyncSession, file_ids: Iterable[str]) -> dict[str, FileOut]:
    """What the given files are (not their bytes), by id; ids naming no file are left out."""
    ids = list(dict.fromkeys(file_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            StoredFile.id,
            StoredFile.name,
            StoredFile.content_type,
            StoredFile.size,
            StoredFile.sha256,
        ).where(StoredFile.id.in_(ids))
    )
    return {row.id: FileOut.model_validate(row, from_attributes=True) for row in rows}


_FILES = StoredFile.__table__
_DESCRIBED = (_FILES.c.id, _FILES.c.name, _FILES.c.content_type, _FILES.c.size, _FILES.c.sha256)
_HELD = _FILES.c.case_id == bindparam("case_id")
# Built once: they run after every case command.
_HELD_BY_CASE = select(*_DESCRIBED, _HELD.label("held")).where(_HELD)
_HELD_OR_CITED = select(*_DESCRIBED, _HELD.label("held")).where(
    or_(_HELD, _FILES.c.id.in_(bindparam("cited", expanding=True)))
)


async def describe_case_files(
    session: AsyncSession, case_id: str, cited: list[str]
) -> tuple[dict[str, FileOut], list[str]]:
    """The files the case holds and those it cites, described, in one read; and the ids of
    those it holds, oldest first."""
    if cited:
        stmt, params = _HELD_OR_CITED, {"case_id": case_id, "cited": cited}
    else:
        stmt, params = _HELD_BY_CASE, {"case_id": case_id}
    rows = await session.execute(stmt.order_by(_FILES.c.uploaded_at, _FILES.c.id), params)
    described, held_ids = {}, []
    for row in rows:
        described[row.id] = FileOut.model_validate(row, from_attributes=True)
        if row.held:
            held_ids.append(row.id)
    return described, held_ids


async def readable_file(session: AsyncSession, file_id: str, principal: Principal) -> StoredFile:
    """The file with its bytes, if the principal may see the case that holds it (the rule of
    recall.cases.access.visible_case), or, while no case holds it, if it is the uploader's (or
    the principal an admin). Anyone else gets the 404 of a file that does not exist."""
    stored = await session.get(StoredFile, file_id, options=[undefer(StoredFile.content)])
    if stored is None or not await _may_read(session, stored, principal):
        raise NotFound(f"no file {file_id}")
    return stored


async def _may_read(session: AsyncSession, stored: StoredFile, principal: Principal) -> bool:
    if stored.case_id is None:
        return principal.is_admin or principal.actor == stored.uploaded_by
    case = await session.get(Case, stored.case_id)
    return case is not None and permissions.can_see_case(
        principal, case.region_code, case.enterprise_ids
    )
