"""Uploaded files: size and type limits on the way in, permission-checked downloads.

The type is judged from the file's first bytes and its extension together, never
from the Content-Type the client claims. Files live under MEDIA_ROOT, which is not
served publicly: downloads go through views that check the parent object first.

A file is stored under a generated name (`stored_name`: a random hex id and the
file's extension, inside its model's folder), never under the client's: any length,
any characters, the same name twice, all store the same way. The client's name is
kept, cleaned by `safe_name`, in the model for display and for the download's
Content-Disposition.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
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


# Longest original name kept (the models' original_name columns).
MAX_NAME_LENGTH = 255
_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


def safe_name(name: str) -> str:
    """The client's file name fit for display and headers: the base name only (no
    directory part), without control or format characters, at most MAX_NAME_LENGTH
    characters with the extension kept when the rest is shortened."""
    name = "".join(
        char
        for char in str(name).replace("\\", "/")
        if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
    )
    name = PurePath(name).name.strip() or "file"
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePath(name).suffix
        if not _SAFE_EXTENSION.fullmatch(suffix.lower()):
            suffix = ""
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def safe_extension(name: str) -> str:
    """The name's extension, lower case, when it is a plain one ('.pdf'); else ''."""
    suffix = PurePath(safe_name(name)).suffix.lower()
    return suffix if _SAFE_EXTENSION.fullmatch(suffix) else ""


def stored_name(folder: str, filename: str) -> str:
    """Where an upload called `filename` is stored: `folder/<32 hex><extension>`.

    For the models' `upload_to`. Bounded (folder + 37 characters), unique without the
    storage having to append anything, and free of anything the client chose but the
    extension."""
    return f"{folder}/{uuid.uuid4().hex}{safe_extension(filename)}"


def download_response(field_file, *, filename: str, content_type: str = "") -> FileResponse:
    if not field_file or not field_file.storage.exists(field_file.name):
        raise NotFound("The file is no longer stored.")
    return FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=safe_name(filename),
        content_type=content_type or "application/octet-stream",
    )
