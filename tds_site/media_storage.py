"""Where media (product images) live: the local disk, or an S3 bucket shared by several machines.

`MEDIA_STORAGE=local` (the default) keeps files under MEDIA_ROOT, served by nginx from disk; one web
machine, or several sharing that folder. `MEDIA_STORAGE=s3` puts them in a bucket that every web and
worker machine reaches, and the pages link to the bucket (or to AWS_S3_CUSTOM_DOMAIN, a CDN in front
of it). Everything that writes media goes through Django's storage API, so both behave the same.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage

from tds_site.env import env_bool, env_choice, env_str, env_url

TEMP_PREFIX = ".tmp-"
# mkstemp makes its file 0600; the web server that serves MEDIA_ROOT (nginx) runs as another user.
# Media are public at /media/ anyway.
MEDIA_FILE_MODE = 0o644


class AtomicFileSystemStorage(FileSystemStorage):
    """The local media folder, where a file appears whole or not at all.

    Django's own FileSystemStorage writes into the final name, so a process killed mid-write leaves a
    truncated file that later looks present. Here the bytes go to a temp file in the same folder,
    renamed over the name when complete (what an S3 PUT gives by nature). Names are content
    addressed, so writing a name again writes the same bytes: overwriting is allowed.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    def _save(self, name: str, content: File) -> str:
        chunks = content.chunks() if hasattr(content, "chunks") else [content.read()]
        atomic_write(Path(self.path(name)), b"".join(chunks),
                     mode=self.file_permissions_mode or MEDIA_FILE_MODE)
        return str(name).replace("\\", "/")


def atomic_write(path: Path, data: bytes, *, mode: int = MEDIA_FILE_MODE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def media_storage_from_env() -> dict[str, Any]:
    """STORAGES["default"] from MEDIA_STORAGE and, for s3, the AWS_* variables."""
    if env_choice("MEDIA_STORAGE", "local", ("local", "s3")) == "local":
        return {"BACKEND": "tds_site.media_storage.AtomicFileSystemStorage"}
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # The stored image URLs are kept in the database and shown for months: they must not be
        # signed URLs that expire. The bucket (or the CDN in front of it) serves the images publicly.
        "querystring_auth": False,
        "file_overwrite": True,
    }
    optional = {
        "access_key": env_str("AWS_ACCESS_KEY_ID"),
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
        "region_name": env_str("AWS_S3_REGION_NAME"),
        # Another S3 implementation (MinIO, Ceph, a cloud's S3-compatible store): its address.
        "endpoint_url": env_url("AWS_S3_ENDPOINT_URL"),
        "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN"),
        "location": env_str("AWS_LOCATION").strip("/"),
        "default_acl": env_str("AWS_DEFAULT_ACL"),
        "addressing_style": env_choice("AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")),
    }
    options.update({key: value for key, value in optional.items() if value and value != "auto"})
    if options.get("custom_domain") and not env_bool("AWS_S3_CUSTOM_DOMAIN_HTTPS", True):
        options["url_protocol"] = "http:"
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        raise ImproperlyConfigured("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together (or neither: "
                                   "the machine's own AWS credentials)")
    return {"BACKEND": "tds_site.s3_storage.S3MediaStorage", "OPTIONS": options}
