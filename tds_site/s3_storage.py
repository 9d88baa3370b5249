"""The S3 media storage (MEDIA_STORAGE=s3), in a module of its own: only a process that uses it imports boto3."""
from __future__ import annotations

from typing import Any

from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage


class S3MediaStorage(S3Storage):
    """django-storages' S3 storage, with the bucket object kept per thread as its connections are.

    The image sync writes from a pool of threads through one storage, and boto3's resource objects
    must not be shared between threads; django-storages caches one bucket object for all of them.
    """

    def __init__(self, **settings: Any) -> None:
        # An image is at most 7 MB, under boto3's multipart threshold: a transfer thread pool per
        # upload would buy nothing, and the image sync has its own pool.
        settings.setdefault("transfer_config", TransferConfig(use_threads=False))
        super().__init__(**settings)

    @property
    def bucket(self) -> Any:
        local = self._connections
        bucket = getattr(local, "bucket", None)
        if bucket is None:
            bucket = local.bucket = self.connection.Bucket(self.bucket_name)
        return bucket
