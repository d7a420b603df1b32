"""Settings: one ``Settings`` object, env prefix ``JIXIAO_``, nested groups.

Nested values use a double underscore (``JIXIAO_LIMITS__MAX_PAGES=200``); the most common
ones also have flat aliases documented in the README. Stages receive the group they need
(``ingest`` gets ``Limits``), never the whole settings object.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseModel):
    """What an upload may be before anything heavy runs."""

    max_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest accepted file, bytes.")
    max_pages: int = Field(300, gt=0, description="Most pages read from one document.")
    max_image_pixels: int = Field(
        60_000_000, gt=0, description="Largest decoded image or rendered page, pixels."
    )


class OCRSettings(BaseModel):
    """The offline OCR engine (rapidocr with its bundled models)."""

    dpi: int = Field(200, ge=72, le=400, description="Render scanned PDF pages at this dpi.")
    min_text_chars: int = Field(
        20, ge=0, description="A PDF page with fewer text-layer characters is OCR'd."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JIXIAO_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Uploads, cache and the SQLite database.")
    limits: Limits = Field(default_factory=Limits)
    ocr: OCRSettings = Field(default_factory=OCRSettings)


@lru_cache
def get_settings() -> Settings:
    return Settings()
