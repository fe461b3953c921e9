"""Issue 18, « Done when »: a candidate whose session is over deletes their account and can no longer sign in,
while the sealed PV of that session, their grid and their certificate still verify as issued by the platform,
with the name they were signed with."""
from __future__ import annotations

import subprocess

from tests.pv.test_download_digests import PASSWORD, SUCCESS


def test_the_sealed_pv_still_verifies_after_the_candidate_erased_their_account(
        app, client, jury_session, clients, api_headers):
    from core.auth.models import User
    from core.dossiers.models import Document
    from core.extensions import db
    from core.verify.services import verify_document

    s = jury_session("RS6776", [SUCCESS])
    sid, manager, (juror1, juror2) = s["session_id"], s["manager"], s["jurors"]
    assert client.post(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager)).status_code == 201
    for user in (juror1, juror2, manager):
        assert clients(user).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302
    (candidate,) = s["candidates"]
    dossier_id = s["dossier_ids"][0]
    with app.app_context():
        kept = {d.kind: (d.storage_key, d.sha256) for d in db.session.query(Document).filter(
            (Document.dossier_id == dossier_id) | (Document.kind == "jury_pv"))}
    assert {"jury_pv", "jury_grid", "certificate"} <= set(kept), kept

    erased = client.delete("/api/v1/me", json={"password": candidate.plain_password},
                           headers=api_headers(candidate))
    assert erased.status_code == 200, erased.json
    with app.app_context():
        user = db.session.get(User, candidate.id)
        assert user.erased_at is not None and not user.active and "@efface.invalid" in user.email
    refused = app.test_client().post("/connexion", data={"email": candidate.email,
                                                         "password": candidate.plain_password})
    assert refused.status_code in (400, 401, 422, 429), refused.status_code  # the sign-in page again, refused

    storage = app.extensions["livret"].storage
    with app.app_context():
        for kind, (key, sha256) in kept.items():
            with storage.open(key) as stream:
                data = stream.read()
            result = verify_document(data)
            assert result.platform.issued and result.valid, (kind, result.report.reasons)
            if kind == "jury_pv":
                text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                                      check=True).stdout.decode()
                assert "LEROY" in text.upper() and "Inès" in text  # the name it was signed with
    check = app.test_cli_runner().invoke(args=["seal", "check"])
    assert check.exit_code == 0, check.output
