"""Uploads are capped while they arrive: past `QIC_UPLOAD_MAX_BYTES` a file is counted, not stored."""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class CappedUploadHandler(FileUploadHandler):
    """First of the upload handlers: once a file passes the cap, the next handlers receive nothing more of it
    (no memory, no temporary file), and the form gets an empty file of the real size, which it refuses in
    French ("Le fichier pèse … Mo")."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return raw_data if self.received <= settings.QIC_UPLOAD_MAX_BYTES else None

    def file_complete(self, file_size):
        if self.received <= settings.QIC_UPLOAD_MAX_BYTES:
            return None  # the next handler holds the file
        return InMemoryUploadedFile(
            io.BytesIO(b""), self.field_name, self.file_name, self.content_type, self.received, self.charset
        )
