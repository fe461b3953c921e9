"""pyHanko's own log lines name the people in the certificates they validate (« Failed to build path for
Email Address: …, Common Name: … »): the signing layer redacts them, so that no log carries personal data.

The filter is put on every ``pyhanko`` / ``pyhanko_certvalidator`` logger that exists once the signing layer
is imported (filters of a logger apply to the records logged on it, not on its children).
"""
from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_NAMED = re.compile(r"(Common Name|Email Address|Given Name|Surname|Pseudonym): [^,\"\n]+")


def redact(text: str) -> str:
    return _EMAIL.sub("<e-mail>", _NAMED.sub(lambda m: f"{m.group(1)}: <…>", text))


class RedactPeople(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info:  # the exception's text names the certificate's holder too: keep it, redacted
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = RedactPeople()


def install() -> None:
    """Put the filter on pyHanko's loggers (idempotent)."""
    names = [n for n in list(logging.root.manager.loggerDict)
             if n.split(".")[0] in ("pyhanko", "pyhanko_certvalidator")]
    for name in ["pyhanko", "pyhanko_certvalidator", *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
