"""Uploads are read as a stream and stop being kept once they pass the import limit.

A browser upload larger than ``tabular.MAX_UPLOAD_BYTES`` is never held whole in memory or on
disk: ``SizeLimitUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) passes the handlers after it
no byte beyond the limit and hands the view an ``OversizedUpload`` that knows only its name and
size, which the reader refuses with its "too large" message before reading anything."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .tabular import MAX_UPLOAD_BYTES


class OversizedUpload(UploadedFile):
    """A file that passed the limit: its name and full size, none of its content."""

    def __init__(self, name: str, size: int, content_type: str | None = None):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def read(self, *args: object, **kwargs: object) -> bytes:
        raise ValueError("an oversized upload keeps no content")


class SizeLimitUploadHandler(FileUploadHandler):
    limit = MAX_UPLOAD_BYTES

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        # None: the handlers after this one (memory, temporary file) get nothing more of it.
        return raw_data if self.received <= self.limit else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.limit:
            return None  # the next handler's file, as usual
        return OversizedUpload(self.file_name or "", self.received, self.content_type)
