"""An annex no antivirus has checked (« non analysée ») is a visible warning on the review page, with what it means;
a clean one is not."""
from __future__ import annotations

from tests.review.conftest import page


def _set_scan_state(app, dossier_id, state):
    from sqlalchemy import select

    from core.dossiers.models import Annex, ScanState
    from core.extensions import db

    with app.app_context():
        for annex in db.session.scalars(select(Annex).where(Annex.dossier_id == dossier_id)):
            annex.scan_state = ScanState(state)
        db.session.commit()


def test_unscanned_annexes_are_a_warning_for_the_reviewer(app, submitted):
    dossier_id, staff_client = submitted["dossier_id"], submitted["staff_client"]
    url = f"/certificateur/dossiers/{dossier_id}/recevabilite"
    clean = page(staff_client.get(url))
    assert "saine" in clean and "Non analysée" not in clean and "annexes-non-analysees" not in clean

    _set_scan_state(app, dossier_id, "not_scanned")  # stored while the platform ran without antivirus
    html = page(staff_client.get(url))
    assert '<div class="notice notice-warning" id="annexes-non-analysees">' in html
    assert "Attention : 1 annexe de cette version n'a pas été analysée par un antivirus." in html
    assert "ils peuvent contenir un logiciel malveillant" in html
    assert '<strong class="scan-warning">⚠ Non analysée</strong>' in html
    assert "Aucun antivirus n'a vérifié ce fichier : ouvrez-le avec prudence." in html
