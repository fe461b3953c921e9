"""A streaming ``multipart/form-data`` reader for API uploads.

Werkzeug's form parser (``request.files``) spools every file part to a
temporary file before the view runs; the upload pipeline then copies it again
to its staging directory. The API reads the WSGI input itself instead, part by
part, with werkzeug's push decoder: a file part is handed to the caller as a
generator of chunks that reads the request body as it is consumed, so a file
goes from the socket to the staging file in one pass and memory stays at one
chunk. Text fields are small and collected (limits below).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from flask_babel import gettext as _
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Field, File, MultipartDecoder

from core.errors import UserError, ValidationFailed

READ_SIZE = 1024 * 1024
MAX_FIELD_SIZE = 64 * 1024  # one text field
MAX_PARTS = 200


class MultipartError(UserError):
    status = 400
    code = "invalid_multipart"


class UnsupportedMediaType(UserError):
    status = 415
    code = "unsupported_media_type"


@dataclass
class Part:
    name: str
    filename: str | None
    headers: Headers
    _reader: "MultipartReader" = field(repr=False)
    _done: bool = field(default=False, repr=False)

    @property
    def is_file(self) -> bool:
        return self.filename is not None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")

    def chunks(self) -> Iterator[bytes]:
        """The part's bytes, read from the request as they are consumed."""
        while not self._done:
            event = self._reader._next_event()
            if not isinstance(event, Data):  # pragma: no cover - the decoder always ends a part with Data
                raise MultipartError(_("Le corps multipart de la requête est mal formé."))
            if not event.more_data:
                self._done = True
            if event.data:
                yield event.data

    def drain(self) -> None:
        for _chunk in self.chunks():
            pass

    def text(self, limit: int = MAX_FIELD_SIZE) -> str:
        data = bytearray()
        for chunk in self.chunks():
            data += chunk
            if len(data) > limit:
                raise MultipartError(_("Le champ « %(n)s » est trop long.", n=self.name), code="field_too_long")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MultipartError(_("Le champ « %(n)s » n'est pas du texte UTF-8 valide.", n=self.name)) from None
        if "\x00" in text:  # PostgreSQL stores no NUL character
            raise ValidationFailed(details={self.name: [
                _("Texte invalide : le caractère nul (U+0000) n'est pas accepté.")]})
        return text


class MultipartReader:
    """Iterate over the parts of a ``multipart/form-data`` body; consume each part before the next."""

    def __init__(self, stream: BinaryIO, boundary: bytes, *, read_size: int = READ_SIZE):
        self.stream = stream
        self.read_size = read_size
        # The decoder's buffer holds at most one read plus an unfinished header: bounded.
        self.decoder = MultipartDecoder(boundary, max_form_memory_size=read_size + MAX_FIELD_SIZE,
                                        max_parts=MAX_PARTS)
        self._current: Part | None = None
        self._finished = False

    @classmethod
    def from_request(cls, request) -> "MultipartReader":
        mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
        boundary = options.get("boundary", "")
        if mimetype != "multipart/form-data":
            raise UnsupportedMediaType(_("Envoyez le fichier en « multipart/form-data » (champ « file »)."))
        if not boundary:
            raise MultipartError(_("Le corps multipart de la requête est mal formé (délimiteur manquant)."))
        return cls(request.stream, boundary.encode("latin-1"))

    def _next_event(self):
        malformed = _("Le corps multipart de la requête est mal formé.")
        while True:
            try:
                event = self.decoder.next_event()
            except ValueError:  # the body ended before the closing boundary, or a part is broken
                if self.decoder.complete:
                    raise MultipartError(_("Le corps de la requête est incomplet (envoi interrompu ?)."),
                                         code="incomplete_body") from None
                raise MultipartError(malformed) from None
            except RequestEntityTooLarge:  # too many parts
                raise MultipartError(malformed) from None
            if event is not NEED_DATA:
                return event
            data = self.stream.read(self.read_size)
            try:
                self.decoder.receive_data(data or None)  # None: end of the body
            except RequestEntityTooLarge:  # headers of a part without end
                raise MultipartError(malformed) from None

    def __iter__(self) -> Iterator[Part]:
        while not self._finished:
            if self._current is not None and not self._current._done:
                self._current.drain()
            event = self._next_event()
            if isinstance(event, Epilogue):
                self._finished = True
                return
            if isinstance(event, (Field, File)):
                filename = event.filename if isinstance(event, File) else None
                # a part whose Content-Disposition names nothing (or garbles the name) is the field ""
                self._current = Part(event.name or "", filename, event.headers, self)
                yield self._current
            # Preamble and any stray event: keep reading
