"""Page images of stored documents: PNG rendered by PyMuPDF, cached beside the file.

Owns turning (document, page, dpi) into PNG bytes for the reviewer page. PDFs and images
(PNG, JPEG, multi-page TIFF) have pages; DOCX and plain text have none. To draw a box of
the document model on the image, scale it by ``image width / Page.width`` (PDF points for
PDFs, pixels for images): that holds for every format, whatever resolution an image
declares.
"""

from __future__ import annotations

from service.config import Limits
from service.store.documents import NotFoundError
from service.store.files import Storage
from service.store.tables import StoredDocument

PAGED_FORMATS = {"pdf": "pdf", "png": "png", "jpeg": "jpeg", "tiff": "tiff"}
MIN_DPI, MAX_DPI, DEFAULT_DPI = 36, 300, 110


class NoPageImagesError(NotFoundError):
    code = "no_page_images"
    message_zh = "该格式的文档没有页面图像（仅 PDF 和图片有）。"
    message_en = "Documents of this format have no page images (only PDFs and images do)."


class PageNotFoundError(NotFoundError):
    code = "page_not_found"
    message_zh = "文档中没有该页。"
    message_en = "The document has no such page."


def render_page(
    files: Storage, doc: StoredDocument, page: int, dpi: int, limits: Limits
) -> bytes:
    """PNG bytes of 1-based ``page`` at ``dpi`` (clamped to the pixel limit)."""
    filetype = PAGED_FORMATS.get(doc.format)
    if filetype is None:
        raise NoPageImagesError(f"format {doc.format}")
    if doc.page_count is not None and not 1 <= page <= doc.page_count:
        raise PageNotFoundError(f"page {page} of {doc.page_count}", pages=doc.page_count)
    dpi = max(MIN_DPI, min(MAX_DPI, dpi))
    suffix = f"p{page}-{dpi}.png"
    cached = files.get_derived(doc.sha256, suffix)
    if cached is not None:
        return cached
    png = _render(files.get(doc.sha256), filetype, page, dpi, limits)
    files.put_derived(doc.sha256, suffix, png)
    return png


def _render(data: bytes, filetype: str, page: int, dpi: int, limits: Limits) -> bytes:
    import pymupdf

    with pymupdf.open(stream=data, filetype=filetype) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise PageNotFoundError(f"page {page} of {pdf.page_count}", pages=pdf.page_count)
        loaded = pdf.load_page(page - 1)
        rect = loaded.rect
        pixels = rect.width * rect.height * (dpi / 72) ** 2
        if pixels > limits.max_image_pixels:  # render smaller rather than refuse
            dpi = max(1, int(72 * (limits.max_image_pixels / (rect.width * rect.height)) ** 0.5))
        pixmap = loaded.get_pixmap(dpi=dpi)
        png: bytes = pixmap.tobytes("png")
    pymupdf.TOOLS.mupdf_warnings()  # drain MuPDF's message store
    return png
