"""S3-compatible object storage for uploads and derived artefacts (``storage.backend=s3``).

Owns the object-storage backend of ``service.store.files.Storage``: the same
content-addressed layout as the local folder (``<prefix>ab/cd/<sha256>[.<suffix>]``) in one
bucket, through boto3 (the ``s3`` extra). Any S3-compatible server works (AWS S3, MinIO,
Ceph RGW, SeaweedFS, cloud vendors' object storage): ``endpoint_url`` names it. Credentials
come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a
profile, an instance role), never from our settings files.

An object is written whole by one PUT, so a crash never leaves half a blob under a valid
name; an upload already stored (same digest) is not sent again.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.store.files import check_digest

if TYPE_CHECKING:
    from service.config import StorageSettings

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store:
    """Content-addressed blobs in ``bucket`` under ``prefix``."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        if not bucket:
            raise ValueError("storage.backend=s3 needs a bucket (JIXIAO_STORAGE__BUCKET)")
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region = region
        self.timeout_s = timeout_s
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> S3Store:
        return cls(
            settings.bucket or "",
            prefix=settings.prefix,
            endpoint_url=settings.endpoint_url,
            region=settings.region,
        )

    # --- Storage ------------------------------------------------------------------------

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(digest):
            self._put(self._key(digest), data)
        return digest

    def get(self, digest: str) -> bytes:
        data = self._get(self._key(digest))
        if data is None:
            raise FileNotFoundError(f"no object {self._key(digest)}")
        return data

    def exists(self, digest: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(digest))
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def put_derived(self, digest: str, suffix: str, data: bytes) -> str:
        key = self._key(digest, suffix)
        self._put(key, data)
        return key

    def get_derived(self, digest: str, suffix: str) -> bytes | None:
        return self._get(self._key(digest, suffix))

    def delete_derived(self, digest: str, prefix: str) -> int:
        deleted = 0
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self._key(digest, prefix)):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:  # a listing page holds at most 1,000 keys, as one delete may
                objects = {"Objects": keys, "Quiet": True}
                self.client.delete_objects(Bucket=self.bucket, Delete=objects)
                deleted += len(keys)
        return deleted

    def local_path(self, digest: str) -> Path | None:
        return None

    def prepare(self) -> None:
        """Nothing to create: the bucket is the operator's (we never create buckets)."""

    def check(self) -> str:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:  # any failure to reach the bucket means not ready
            return f"unreachable: {type(exc).__name__}"
        return "ok"

    # --- internals ----------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """A boto3 S3 client, made on first use (in each process: it does not pickle)."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                config = Config(
                    connect_timeout=self.timeout_s,
                    read_timeout=self.timeout_s,
                    retries={"max_attempts": 5, "mode": "standard"},
                )
                self._client = boto3.session.Session().client(
                    "s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config
                )
            return self._client

    def _key(self, digest: str, suffix: str | None = None) -> str:
        return f"{self.prefix}{digest[:2]}/{digest[2:4]}/{check_digest(digest, suffix)}"

    def _put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def _get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _is_missing(exc):
                return None
            raise
        data: bytes = answer["Body"].read()
        return data

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_client"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _is_missing(exc: Exception) -> bool:
    """botocore's ClientError for a key (or bucket) that does not exist."""
    response = getattr(exc, "response", None)
    code = str(((response or {}).get("Error") or {}).get("Code", ""))
    return code in _MISSING
