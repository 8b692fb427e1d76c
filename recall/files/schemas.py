from pydantic import BaseModel


class FileOut(BaseModel):
    """A stored evidence file, without its bytes (GET /api/v1/files/{id} serves them)."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
