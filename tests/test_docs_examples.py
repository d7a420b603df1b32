"""Every ``curl`` example in docs/*.md and the README runs against a live server.

The examples are parsed out of the Markdown (fenced blocks, with their ``\\`` continuations,
and inline code spans), never copied here: an example that is edited into something the
service refuses fails this test. Placeholders are filled in as a reader would: ``$KEY``
with an admin key, ``$ID`` (or ``ID`` in a URL, ``3f…``) with a processed document,
``http://127.0.0.1:8000`` / ``http://HOST`` with the test server, ``report.pdf`` with a
generated report. Each must answer 2xx. The server is uvicorn as ``jixiao serve`` runs it
(its HTTP protocol included), on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.api.http import JsonErrorsH11Protocol
from service.app import create_app
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_pdf, report_text
from tests.ui.conftest import free_port, ui_settings

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
STATUS_MARK = "__HTTP_STATUS__"
INDICATORS = [(f"指标{i}", "≥95%", 10, 9) for i in range(5)]


def curl_examples(path: Path) -> list[str]:
    """The curl commands of a Markdown file: fenced lines (joined over ``\\``) and inline
    code spans that start with ``curl``."""
    text = path.read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        found += [line.strip() for line in joined.splitlines() if line.strip().startswith("curl ")]
    outside = re.sub(r"```.*?```", "", text, flags=re.S)
    found += [span for span in re.findall(r"`(curl [^`]+)`", outside)]
    return found


def runnable(command: str, base: str) -> str:
    command = re.sub(r"\s+#\s.*$", "", command)  # a trailing comment
    command = command.replace("http://127.0.0.1:8000", base).replace("http://HOST", base)
    command = re.sub(r"/documents/(ID|3f…)(?=/|\s|$)", "/documents/$ID", command)
    # the status goes to stderr, so an example that redirects stdout to a file still tells it
    return command.replace("curl ", f"curl -sS -w '%{{stderr}}{STATUS_MARK}%{{http_code}}' ", 1)


EXAMPLES = [(p.relative_to(REPO).as_posix(), c) for p in DOCS for c in curl_examples(p)]


def test_the_examples_are_found() -> None:
    files = {name for name, _ in EXAMPLES}
    assert {"docs/api.md", "README.md", "docs/eval.md"} <= files
    assert len(EXAMPLES) >= 12
    methods = " ".join(c for _, c in EXAMPLES)
    assert "-X PATCH" in methods and "-X DELETE" in methods and "-F files=@" in methods


class Server:
    def __init__(self, app: object) -> None:
        import uvicorn

        self.base = f"http://127.0.0.1:{free_port()}"
        config = uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=int(self.base.rsplit(":", 1)[1]),
            log_level="warning",
            http=JsonErrorsH11Protocol,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "no server"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def _curl(command: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return int(done.stderr.rpartition(STATUS_MARK)[2]), done.stdout


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed to run the documented examples (apt-get install curl)")
    folder = tmp_path_factory.mktemp("docs")
    server = Server(create_app(ui_settings(folder), extract=FakeExtractor()))
    cwd = folder / "cwd"
    cwd.mkdir()
    pdf = make_pdf([[line.decode() for line in report_text(indicators=INDICATORS).splitlines()]])
    (cwd / "report.pdf").write_bytes(pdf)
    env = {"PATH": "/usr/bin:/bin", "KEY": ADMIN_KEY, "HOME": str(cwd)}
    try:
        status, body = _curl(
            runnable(
                f'curl -H "X-API-Key: $KEY" -F files=@report.pdf {server.base}/documents',
                server.base,
            ),
            env,
            cwd,
        )
        assert status == 202, body
        env["ID"] = doc_id = json.loads(body)["documents"][0]["id"]
        for _ in range(1500):
            status, body = _curl(
                runnable(f'curl -H "X-API-Key: $KEY" {server.base}/documents/$ID', server.base),
                env,
                cwd,
            )
            if json.loads(body)["status"] == "done":
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"{doc_id} was not processed")
        yield server.base, env, cwd
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("source", "example"), EXAMPLES, ids=[f"{s}:{c[:60]}" for s, c in EXAMPLES]
)
def test_documented_example_runs(
    live: tuple[str, dict[str, str], Path], source: str, example: str
) -> None:
    base, env, cwd = live
    status, body = _curl(runnable(example, base), env, cwd)
    assert 200 <= status < 300, f"{source}: {example}\n-> {status} {body[:500]}"
    saved = re.search(r"(?:\s-o\s+|\s>\s*)(\S+)", example)
    if saved:  # a download kept in a file: the file is what it claims to be
        data = (cwd / saved.group(1)).read_bytes()
        if saved.group(1).endswith(".xlsx"):
            assert data[:2] == b"PK"
        assert data


def test_a_raw_non_ascii_url_gets_the_json_error(live: tuple[str, dict[str, str], Path]) -> None:
    """What the DELETE example did before it was percent-encoded: the HTTP parser refuses
    the request, and the answer is still the typed JSON error."""
    base, env, cwd = live
    raw = f'curl -X DELETE -H "X-API-Key: $KEY" "{base}/documents/$ID/records/indicators/3?reason=重复"'
    status, body = _curl(
        runnable(raw, base),
        env,
        cwd,
    )
    assert status == 400
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and error["status"] == 400
    assert error["message_zh"] and "percent-encoded" in error["detail"]
