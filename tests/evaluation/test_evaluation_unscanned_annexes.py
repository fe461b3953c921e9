"""A juror reading an annex that no antivirus has checked is warned beside its links."""
from __future__ import annotations

from tests.evaluation.conftest import page


def test_unscanned_annex_is_a_warning_for_the_juror(app, make_jury, as_user):
    from sqlalchemy import select

    from core.dossiers.models import Annex, ScanState
    from core.extensions import db

    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    assert "Non analysée" not in page(client.get(jury.url("/dossier")))
    with app.app_context():
        annex = db.session.scalar(select(Annex).where(Annex.dossier_id == jury.dossier_id, Annex.number == 1))
        annex.scan_state = ScanState.NOT_SCANNED
        db.session.commit()
    response = client.get(jury.url("/dossier"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = page(response)
    assert '<strong class="scan-warning">⚠ Non analysée</strong>' in text
    assert "Aucun antivirus n'a vérifié ce fichier : ouvrez-le avec prudence." in text
