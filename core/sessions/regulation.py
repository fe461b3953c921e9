"""The part of the certification's règlement the jury receives with its convocation.

The certification's plugin returns it (hook ``livret_jury_regulation``, a
:class:`~core.certifications.descriptor.JuryRegulation`); a certification
without one sends none. :func:`render_regulation` makes the PDF (tagged and
archival, :func:`core.documents.services.render_pdf`) when the session opens,
before anything changes, so that a rendering failure leaves the session as it
was; :func:`mark_sent` records when the convocations carried it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from core.audit.services import record
from core.auth.models import utcnow
from core.certifications.descriptor import Certification, JuryRegulation
from core.jury import services as jury
from core.jury.models import JurySession
from core.plugins import certification_hook

MEDIA_TYPE = "application/pdf"


@dataclass(frozen=True)
class RegulationFile:
    """The rendered document, ready to attach to an e-mail."""

    title: str  # the règlement's part, e.g. « Les épreuves certificatives »
    filename: str
    data: bytes

    @property
    def attachment(self) -> tuple[str, str, bytes]:
        return self.filename, MEDIA_TYPE, self.data


def regulation_of(cert: Certification) -> JuryRegulation | None:
    """What the certification's plugin gives the jury; ``None``: nothing."""
    return certification_hook(cert, "livret_jury_regulation")(certification=cert)


def _filename(regulation: JuryRegulation, cert: Certification) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", (regulation.filename or "").strip()).strip("-.")
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    return f"{stem or 'reglement-' + cert.code.lower()}.pdf"


def render_regulation(session: JurySession) -> RegulationFile | None:
    """The PDF of the session's certification's règlement for the jury, or ``None`` when it has none."""
    from core.documents.services import render_pdf

    cert = jury.certification_of(session)
    regulation = regulation_of(cert)
    if regulation is None:
        return None
    title = _("%(part)s – règlement de la certification %(code)s", part=regulation.title, code=cert.code)
    data = render_pdf("sessions/regulation.html", {"regulation": regulation, "cert": cert, "session": session},
                      title=title, author=cert.certifier or "Livret")
    return RegulationFile(regulation.title, _filename(regulation, cert), data)


def mark_sent(session: JurySession, regulation: RegulationFile, actor_id: int | None) -> None:
    """Record that the jurors' convocations carried ``regulation`` (now), audited; the caller commits."""
    session.regulation_sent_at = utcnow()
    record("session.regulation_sent", "jury_session", session.id, actor_id=actor_id,
           payload={"title": regulation.title, "filename": regulation.filename, "size": len(regulation.data),
                    "jurors": len(session.jurors)})
