"""Times printed on the documents are French legal time (Europe/Paris) and say so, in winter
(UTC+1) and in summer (UTC+2); the candidate's preview is marked as such."""
from __future__ import annotations

import dataclasses
import subprocess
from datetime import datetime, timezone

import pytest

from documents_samples import receipt_for, rs_livret


def text_of(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                         check=True, timeout=60).stdout.decode()
    return " ".join(out.split())


@pytest.mark.parametrize("instant, shown", [
    (datetime(2026, 12, 6, 3, 29, tzinfo=timezone.utc), "06/12/2026 à 04:29"),  # winter: UTC+1
    (datetime(2026, 7, 1, 22, 15, tzinfo=timezone.utc), "02/07/2026 à 00:15"),  # summer: UTC+2, next day
])
def test_livret_and_receipt_show_paris_time(doc_ctx, instant, shown):
    from core.documents.services import render_livret2, render_receipt

    livret = rs_livret()
    livret.dossier = dataclasses.replace(livret.dossier, submitted_at=instant)
    pdf = render_livret2(livret)
    assert f"déposé le {shown} (heure de Paris)" in text_of(pdf)
    receipt = text_of(render_receipt(receipt_for(livret, pdf)))
    assert "Date et heure du dépôt (heure de Paris)" in receipt and shown in receipt


def test_preview_is_marked_and_not_the_submitted_document(doc_ctx):
    from core.documents.services import render_livret2

    livret = rs_livret()
    livret.dossier = dataclasses.replace(livret.dossier, submitted_at=None)
    text = text_of(render_livret2(livret, created=datetime(2026, 12, 6, 3, 29, tzinfo=timezone.utc),
                                  preview=True))
    assert "Aperçu – non signé" in text
    assert "Il n'est ni signé ni scellé et n'a aucune valeur de dépôt." in text
    assert "NGUYEN" in text and "déposé le" not in text
    normal = text_of(render_livret2(rs_livret()))
    assert "Aperçu" not in normal
