"""The type of a file from its first bytes (its magic number), never from its name or the type
its sender declared: a browser told `image/png` must not receive HTML or SVG that it would run."""

PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
PDF = "application/pdf"
ACCEPTED = (PNG, JPEG, WEBP, PDF)


def sniff(data: bytes) -> str | None:
    """The content type of data if it is a PNG, JPEG or WebP image or a PDF, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None
