"""Render a ``ReportSpec`` as a legacy Word .doc, or as a report in several files.

Owns two renderings the evaluation set needs beside the DOCX twin:

* ``render_doc``: the DOCX rendering saved as Word 97-2003 by LibreOffice (headless, a
  throwaway profile), the same program the reader converts it back with;
* ``render_bundle``: the report as a unit sends it in parts: the body as DOCX, and its 附件
  (the parts after a page break that hold tables: the 基础数据表, the 自评表) as an XLSX
  workbook, packed as one ZIP as an upload with ``bundle=true`` is stored. A report with no
  such part is a bundle of one file.

The truth of a report does not change: every figure stands in one of the files.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from service.synth.docx import render_docx
from service.synth.spec import Block, PageBreak, ReportSpec, TableBlock

CONVERT_TIMEOUT_S = 180


def render_doc(spec: ReportSpec) -> bytes:
    """The report as a Word 97-2003 .doc. Needs LibreOffice (``soffice``) on PATH."""
    program = shutil.which("soffice")
    if program is None:
        raise RuntimeError(
            "rendering .doc needs LibreOffice: apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="jixiao-synth-doc-") as tmp:
        work = Path(tmp)
        (work / "report.docx").write_bytes(render_docx(spec))
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "doc",
                "--outdir",
                str(work / "out"),
                str(work / "report.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=CONVERT_TIMEOUT_S,
            env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
        )
        return (work / "out" / "report.doc").read_bytes()


def split_attachments(spec: ReportSpec) -> tuple[ReportSpec, ReportSpec | None]:
    """The body, and the 附件: every part after a page break that holds a table."""
    parts: list[list[Block]] = [[]]
    for block in spec.blocks:
        if isinstance(block, PageBreak):
            parts.append([])
        parts[-1].append(block)
    body, annex = list(parts[0]), []
    for part in parts[1:]:
        (annex if any(isinstance(b, TableBlock) for b in part) else body).extend(part)
    if not annex:
        return spec, None
    return (
        spec.model_copy(update={"blocks": body}),
        ReportSpec(title=spec.title, blocks=annex),
    )


def render_bundle(spec: ReportSpec) -> bytes:
    """One ZIP: 绩效自评报告.docx, and 附件 绩效自评表及基础数据表.xlsx where there are 附件."""
    from service.ingest.bundle import pack_bundle
    from service.synth.xlsx import render_xlsx

    body, annex = split_attachments(spec)
    files = [("部门整体支出绩效自评报告.docx", render_docx(body))]
    if annex is not None:
        files.append(
            ("附件 绩效自评表及基础数据表.xlsx", render_xlsx(annex, attachments_only=True))
        )
    return pack_bundle(files)
