"""Downloads: every file the API hands out is an attachment with a safe name.

Owns the ``Content-Disposition`` header of downloads (the uploaded file, exports). An
uploaded file is served as an attachment, never inline: an HTML or SVG upload opened in
the service's own origin would run its scripts there. The name is given twice (RFC 6266):
an ASCII fallback in ``filename`` and the exact name in ``filename*`` (RFC 5987,
percent-encoded UTF-8), so neither quotes, semicolons, line breaks nor path separators in
an uploaded file's name can break the header or choose where the file is saved.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, fallback: str = "download") -> str:
    """``attachment; filename="…"; filename*=utf-8''…`` for ``filename``."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or fallback
    ascii_name = _UNSAFE.sub("_", name).strip("._") or fallback
    encoded = quote(name, safe="")
    if encoded == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{encoded}"
