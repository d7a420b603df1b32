"""Legacy word-processor files (.doc, .wps, .rtf): converted to DOCX by LibreOffice, then
read by the DOCX reader; the same conversion turns OpenDocument and WPS spreadsheets
(.ods, .et) into XLSX for the sheet reader (``convert``).

Owns telling a Word/WPS compound file from the other OLE2 files (by the stream names of its
directory: ``WordDocument`` for Word 97-2003 and WPS Writer, ``CONTENTS`` for MS Works; an
Excel ``Workbook`` is the sheet reader's), refusing encrypted ones, and running
``soffice --headless --convert-to docx`` (or ``xlsx``) once per file: a throwaway profile directory (two
conversions never share one; each is a copy of the profile the first conversion left in the
cache, which saves LibreOffice making one), a time limit after which the whole process group
is killed, and a cache of the result named by the original's sha256. The ``Document`` keeps
the original's source (format, sha256); only its text comes through DOCX.

Must not touch the database or the web; the cache is a plain folder of files we named.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from service.config import ConvertSettings
from service.document import Document, SourceFormat, SourceInfo
from service.errors import (
    CorruptFileError,
    EncryptedFileError,
    InputError,
    ServiceError,
    UnsupportedFormatError,
)

if TYPE_CHECKING:
    from service.ingest.reader import IngestOptions

# The suffix LibreOffice needs to pick its import filter (it sniffs content too).
SUFFIXES = {SourceFormat.doc: ".doc", SourceFormat.wps: ".wps", SourceFormat.rtf: ".rtf"}
# FIB (the Word file's header, at the start of the WordDocument stream): its magic and the
# fEncrypted bit of the flags word at offset 0x0A.
_FIB_MAGICS = (0xA5EC, 0xA5DC)
_FIB_ENCRYPTED = 0x0100


class ConverterMissingError(ServiceError):
    """LibreOffice is not installed (or not where the settings say)."""

    code = "converter_missing"
    retryable = False  # the job runner does not try again: it would fail the same way
    message_zh = (
        "无法读取旧版 Word/WPS/RTF 文件或 ODS/ET 表格：服务器未安装 LibreOffice（soffice）。"
        "请管理员安装 libreoffice-writer-nogui 和 libreoffice-calc-nogui，"
        "或将文件另存为 DOCX、XLSX 或 PDF 后上传。"
    )
    message_en = (
        "Cannot read legacy Word/WPS/RTF files or ODS/ET spreadsheets: LibreOffice (soffice) "
        "is not installed on the server. Ask the administrator to install "
        "libreoffice-writer-nogui and libreoffice-calc-nogui, or save the file as DOCX, XLSX "
        "or PDF."
    )


class ConversionTimeoutError(InputError):
    """A file LibreOffice did not convert within the time limit: not retried."""

    code = "conversion_timeout"
    message_zh = "旧版 Word/WPS/RTF 文件或 ODS/ET 表格转换超时，文件可能已损坏或过于复杂。"
    message_en = (
        "Converting the legacy Word/WPS/RTF file or ODS/ET spreadsheet timed out: it may be "
        "corrupt or too complex."
    )


# --- sniffing -------------------------------------------------------------------------------


def ole_word_format(data: bytes, filename: str | None = None) -> SourceFormat:
    """The format of an OLE2 compound file we convert (.doc or .wps), or a typed refusal:
    encrypted Office files, and compound files holding no word-processor stream."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
            fib = ole.openstream("WordDocument").read(12) if "WordDocument" in streams else b""
    except (OSError, ValueError, IndexError) as exc:  # olefile: bad sectors, cut short
        raise CorruptFileError(f"{filename or 'the file'}: a damaged OLE file ({exc})") from None
    name = filename or "the file"
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        raise EncryptedFileError(f"{name}: a password-protected Office file")
    if len(fib) >= 12:
        magic = int.from_bytes(fib[0:2], "little")
        flags = int.from_bytes(fib[10:12], "little")
        if magic in _FIB_MAGICS and flags & _FIB_ENCRYPTED:
            raise EncryptedFileError(f"{name}: a password-protected Word document")
        return SourceFormat.wps if _named(filename, ".wps") else SourceFormat.doc
    if "CONTENTS" in streams:  # Microsoft Works word processor
        return SourceFormat.wps
    raise UnsupportedFormatError(f"{name}: an OLE file that is no Word, WPS or Excel document")


def _named(filename: str | None, suffix: str) -> bool:
    return bool(filename) and Path(filename or "").suffix.lower() == suffix


# --- reading -------------------------------------------------------------------------------


def read_legacy_word(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Convert to DOCX (or take the cached conversion) and read that."""
    from service.ingest.docx import read_docx

    converted = convert_to_docx(data, source.format, options.convert, source.sha256)
    document = read_docx(converted, source, options)
    document.warnings.append(
        f"converted from {source.format.value} to DOCX by LibreOffice before reading"
    )
    return document


def convert_to_docx(
    data: bytes, fmt: SourceFormat, settings: ConvertSettings, sha256: str
) -> bytes:
    """The DOCX LibreOffice makes of ``data``; cached under ``settings.cache_dir``."""
    return convert(data, SUFFIXES[fmt], DOCX, settings, sha256)


DOCX = ("docx", "docx:MS Word 2007 XML")
XLSX = ("xlsx", "xlsx:Calc MS Excel 2007 XML")  # what the spreadsheet reader reads


def convert(
    data: bytes, suffix: str, target: tuple[str, str], settings: ConvertSettings, sha256: str
) -> bytes:
    """What LibreOffice makes of ``data`` (told by ``suffix``) as ``target`` (extension,
    export filter); cached under ``settings.cache_dir`` by the original's sha256."""
    cached = _cache_path(settings, sha256, target[0])
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    program = shutil.which(settings.soffice)
    if program is None:
        raise ConverterMissingError(f"{settings.soffice!r} was not found")
    template = Path(settings.cache_dir) / "soffice-profile" if settings.cache_dir else None
    converted = _run_soffice(program, data, suffix, target, settings.timeout_seconds, template)
    if cached is not None:
        _write_private(cached, converted)
    return converted


def _run_soffice(
    program: str,
    data: bytes,
    suffix: str,
    target: tuple[str, str],
    timeout: float,
    template: Path | None,
) -> bytes:
    """Convert in a throwaway folder. ``template``: a profile LibreOffice made before, copied
    in rather than made afresh (a new profile costs about two seconds of each conversion)."""
    with tempfile.TemporaryDirectory(prefix="jixiao-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        out = work / "out"
        fresh = True
        if template is not None and template.is_dir():
            shutil.copytree(template, work / "profile", symlinks=True)
            fresh = False
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target[1],
            "--outdir",
            str(out),
            str(source),
        ]
        # HOME in the throwaway folder too: nothing of the service user's is read or written
        env = {**os.environ, "HOME": str(work), "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=work,
            start_new_session=True,  # its own process group: killed whole on timeout
        )
        started = time.monotonic()
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()  # reap it and close the pipe
            raise ConversionTimeoutError(
                f"LibreOffice ran longer than {timeout:g} s", timeout_s=timeout
            ) from None
        finally:
            _kill_group(proc)  # soffice.bin may outlive the launcher script
        result = out / f"input.{target[0]}"
        if fresh and template is not None and proc.returncode == 0:
            _keep_profile(work / "profile", template)
        if not result.is_file() or result.stat().st_size == 0:
            message = log.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise CorruptFileError(
                f"LibreOffice could not open the {suffix} file "
                f"(exit {proc.returncode} after {time.monotonic() - started:.1f} s: "
                f"{message[0][:200]})"
            )
        return result.read_bytes()


def _keep_profile(profile: Path, template: Path) -> None:
    """Keep a profile as the template of later conversions (the first keeper wins)."""
    if not profile.is_dir():
        return
    template.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=template.parent, prefix=".profile-"))
    try:
        shutil.copytree(profile, staging / "p", symlinks=True)
        os.rename(staging / "p", template)
    except OSError:  # another conversion kept one first, or the disk refused: no matter
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode is None:
        proc.wait()


def _cache_path(settings: ConvertSettings, sha256: str, extension: str) -> Path | None:
    if settings.cache_dir is None or len(sha256) != 64 or not sha256.isalnum():
        return None
    return Path(settings.cache_dir) / sha256[:2] / f"{sha256}.{extension}"


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only: the converted report is as private as
    the upload it came from."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
