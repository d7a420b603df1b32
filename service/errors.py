"""The error tree.

Two families, as in docling and pydantic-ai:

* ``InputError`` — the caller's fault (unsupported, corrupt, encrypted, empty, too large…).
  Each carries a stable ``code`` and a message in Chinese and English that a person can act on.
* ``ServiceError`` — ours (misconfiguration, an engine that failed, a dead LLM endpoint).

Nothing here knows about HTTP; ``service.api.errors`` maps these to one JSON shape.
"""

from __future__ import annotations

from typing import Any, ClassVar


class JixiaoError(Exception):
    """Base of every error the service raises on purpose."""

    code: ClassVar[str] = "error"
    message_zh: ClassVar[str] = "处理失败。"
    message_en: ClassVar[str] = "Processing failed."

    def __init__(self, detail: str | None = None, **context: Any) -> None:
        self.detail = detail
        self.context = context
        super().__init__(self.message)

    @property
    def message(self) -> str:
        base = f"{self.message_zh} {self.message_en}"
        return f"{base} ({self.detail})" if self.detail else base

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message_en,
            "message_zh": self.message_zh,
            "detail": self.detail,
            **({"context": self.context} if self.context else {}),
        }


# --- the caller's fault -------------------------------------------------------------------


class InputError(JixiaoError):
    """The uploaded file or the request cannot be processed as given."""

    code = "input_error"
    message_zh = "输入无法处理。"
    message_en = "The input cannot be processed."


class EmptyFileError(InputError):
    code = "empty_file"
    message_zh = "文件为空。"
    message_en = "The file is empty."


class UnsupportedFormatError(InputError):
    code = "unsupported_format"
    message_zh = (
        "不支持的文件类型：请上传 PDF、Word（DOCX/DOC/WPS/RTF）、OFD、网页（HTML）、"
        "Excel/WPS 表格（XLSX/XLS/ET）、ODS、PNG/JPEG/TIFF 图片、纯文本，或装有这些文件的 ZIP。"
    )
    message_en = (
        "Unsupported file type: upload a PDF, Word (DOCX/DOC/WPS/RTF), OFD, web page (HTML), "
        "Excel/WPS spreadsheet (XLSX/XLS/ET), ODS, PNG/JPEG/TIFF image, plain text, or a ZIP "
        "of such files."
    )


class MislabelledFileError(InputError):
    code = "mislabelled_file"
    message_zh = "文件内容与其声明的类型不符。"
    message_en = "The file's content does not match the type it claims to be."


class CorruptFileError(InputError):
    code = "corrupt_file"
    message_zh = "文件已损坏或不完整，无法读取。"
    message_en = "The file is corrupt or truncated and cannot be read."


class EncryptedFileError(InputError):
    code = "encrypted_file"
    message_zh = "文件已加密（有密码保护），请上传未加密的版本。"
    message_en = "The file is encrypted (password-protected); upload an unencrypted copy."


class NoArticleError(InputError):
    """A web page whose main content holds no report text (a list page, a login wall)."""

    code = "no_article"
    message_zh = "网页中没有找到正文（可能是栏目列表页或需要登录的页面），请保存报告正文所在的页面。"
    message_en = (
        "No article found in the web page (a list page or a login wall?): save the page "
        "that holds the report itself."
    )


class NoPagesError(InputError):
    code = "no_pages"
    message_zh = "文件没有任何页面。"
    message_en = "The document has no pages."


class FileTooLargeError(InputError):
    code = "file_too_large"
    message_zh = "文件超过大小上限。"
    message_en = "The file is larger than the configured limit."


class TooManyPagesError(InputError):
    code = "too_many_pages"
    message_zh = "页数超过上限。"
    message_en = "The document has more pages than the configured limit."


class TextTooLongError(InputError):
    """A document whose text, or one line of it, is longer than the limits: checked right
    after reading, before any extraction runs."""

    code = "text_too_long"
    message_zh = "文本过长：总字数或单行长度超过上限。"
    message_en = "The text, or one line of it, is longer than the configured limit."


class ImageTooLargeError(InputError):
    """Also raised for decompression bombs: tiny files that expand to huge images."""

    code = "image_too_large"
    message_zh = "图片像素数超过上限（可能是解压炸弹）。"
    message_en = (
        "The image has more pixels than the configured limit (possibly a decompression bomb)."
    )


# --- ours ----------------------------------------------------------------------------------


class ServiceError(JixiaoError):
    """Something on our side failed; the input may be fine."""

    code = "service_error"
    message_zh = "服务内部错误。"
    message_en = "Internal service error."


class ConfigError(ServiceError):
    code = "config_error"
    message_zh = "配置有误。"
    message_en = "Invalid configuration."


class OCRError(ServiceError):
    code = "ocr_error"
    message_zh = "文字识别（OCR）失败。"
    message_en = "Text recognition (OCR) failed."
