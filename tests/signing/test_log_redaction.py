"""pyHanko's log lines name certificate holders; the signing layer redacts them (no personal data in logs)."""
import logging

from signing.log_redaction import RedactPeople, redact


def test_names_and_addresses_of_certificates_are_redacted():
    text = ('Failed to build path for Email Address: elodie.martin@example.org, Common Name: Élodie Martin, '
            'Country: FR')
    assert redact(text) == "Failed to build path for Email Address: <…>, Common Name: <…>, Country: FR"
    assert redact("écrire à lea@example.org") == "écrire à <e-mail>"


def test_the_filter_redacts_the_message_and_the_exception():
    try:
        raise ValueError('no issuer for "Email Address: ines@example.org, Common Name: Inès Petit"')
    except ValueError:
        import sys

        record = logging.LogRecord("pyhanko.x", logging.WARNING, __file__, 1, "path for %s", ("ines@example.org",),
                                   sys.exc_info())
    assert RedactPeople().filter(record)
    assert record.getMessage() == "path for <e-mail>"
    assert "ines@example.org" not in record.exc_text and "Inès Petit" not in record.exc_text
    assert "ValueError" in record.exc_text and record.exc_info is None


def test_pyhanko_loggers_carry_the_filter():
    import signing  # noqa: F401 - installs the filter

    assert any(isinstance(f, RedactPeople) for f in logging.getLogger("pyhanko.sign.validation.generic_cms").filters)
