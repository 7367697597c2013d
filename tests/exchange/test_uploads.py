"""A browser upload past the import limit is counted, not kept: no handler after the size limit
receives more than the limit, and the reader refuses the file by its size without reading it."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler, load_handler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from core import tabular
from core.uploads import OversizedUpload

# The request's upload handlers, as the settings name them (the limit first).
HANDLERS = settings.FILE_UPLOAD_HANDLERS


class Recording(TemporaryFileUploadHandler):
    """The temporary-file handler, noting how many bytes it was given."""

    given = 0

    def receive_data_chunk(self, raw_data, start):
        Recording.given += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def parse(content: bytes):
    body = encode_multipart(BOUNDARY, {"plan": "3", "file": _named(content)})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    handlers = [load_handler(path) for path in HANDLERS[:-1]] + [Recording()]
    Recording.given = 0
    return MultiPartParser(meta, io.BytesIO(body), handlers).parse()


def _named(content: bytes):
    upload = io.BytesIO(content)
    upload.name = "stor.csv"
    return upload


def test_an_upload_past_the_limit_is_counted_not_kept():
    content = b"plan;indikator;dato;v\xc3\xa6rdi\n" + b"1" * (tabular.MAX_UPLOAD_BYTES + 1)
    post, files = parse(content)
    upload = files["file"]
    assert isinstance(upload, OversizedUpload) and upload.size == len(content)
    assert Recording.given <= tabular.MAX_UPLOAD_BYTES  # nothing past the limit was stored
    assert post["plan"] == "3"  # the form's other fields arrive as usual
    with pytest.raises(tabular.TooLargeError, match="10 MB"):
        tabular.read_table(upload)


def test_an_upload_within_the_limit_is_kept_whole():
    content = b"plan;indikator;dato;v\xc3\xa6rdi\n" + b"1" * 3_000_000
    _post, files = parse(content)
    assert not isinstance(files["file"], OversizedUpload)
    assert files["file"].read() == content
