"""Uploaded files: size and type limits on the way in, permission-checked downloads.

The type is judged from the file's first bytes and its extension together, never
from the Content-Type the client claims. Files live under MEDIA_ROOT, which is not
served publicly: downloads go through views that check the parent object first.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.http import FileResponse
from rest_framework.exceptions import NotFound, ValidationError

# extension -> (content type, magic prefixes that file must start with; empty = text)
KNOWN_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
    ".csv": ("text/csv", ()),
}

DOCUMENT_TYPES = (".pdf", ".docx", ".xlsx", ".txt")
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
ATTACHMENT_TYPES = (*DOCUMENT_TYPES, *IMAGE_TYPES, ".pptx", ".zip", ".csv")


def validated_upload(upload, *, field: str, allowed: Iterable[str], max_bytes: int | None = None):
    """Returns (content_type, size) of an acceptable upload; ValidationError naming `field`."""
    allowed = tuple(allowed)
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({field: [f"File is {upload.size} bytes; the limit is {limit}."]})
    if upload.size == 0:
        raise ValidationError({field: ["File is empty."]})
    extension = PurePath(upload.name).suffix.lower()
    if extension not in allowed:
        raise ValidationError(
            {
                field: [
                    f"Files of type '{extension or 'none'}' are not accepted: {', '.join(allowed)}."
                ]
            }
        )
    content_type, signatures = KNOWN_TYPES[extension]
    head = upload.read(16)
    upload.seek(0)
    if signatures and not head.startswith(signatures):
        raise ValidationError({field: [f"File content is not a real {extension} file."]})
    if not signatures and b"\x00" in head:
        raise ValidationError({field: [f"File content is not a text {extension} file."]})
    return content_type, upload.size


def safe_name(name: str) -> str:
    """The base name only, without any directory part a client may have sent."""
    return PurePath(name.replace("\\", "/")).name[:255] or "file"


def download_response(field_file, *, filename: str, content_type: str = "") -> FileResponse:
    if not field_file or not field_file.storage.exists(field_file.name):
        raise NotFound("The file is no longer stored.")
    return FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=safe_name(filename),
        content_type=content_type or "application/octet-stream",
    )
