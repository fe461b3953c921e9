"""The candidates of ``bench/load_bench.py``: accounts with a realistic RNCP37827 dossier each.

Run by ``load_bench.py --prepare N`` in a process of its own (the load generator's
process is patched by gevent), against the instance named by the ``LIVRET_*``
environment, after ``livret db upgrade`` and ``livret demo`` (whose « Simplon.co »
delivers RNCP37827). Prints ``account <e-mail> <dossier id>`` per candidate.

Each dossier is written through the services a page uses (``create_dossier``,
``save_section`` with the form a browser posts): the sample Livret 2 of the plugin
with two sections left empty and a mistake in one, and six annexes linked to
competencies (their rows only: the pages measured read no annex file).
"""
from __future__ import annotations

import hashlib

PASSWORD = "motdepasse-solide-bench"
CODE = "RNCP37827"
EMPTY = ("fiches_poste", "declaration_honneur")
ANNEXES = 6


def prepare(n: int) -> None:
    from core import create_app
    from core.auth.services import create_user
    from core.certifications.services import get_certification
    from core.dossiers import services
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db
    from livret_rncp37827.testing import complete_sections, post_data

    app = create_app()
    lines = []
    with app.test_request_context():  # the section forms read the request (CSRF field)
        cert = get_certification(CODE)
        competencies = [c.code for c in cert.competencies]
        for i in range(n):
            email = f"candidat.charge{i:03d}@exemple.fr"
            user = create_user(email=email, password=PASSWORD, role="candidate", verified=True,
                               first_name="Camille", last_name=f"Charge{i:03d}")
            dossier = services.create_dossier(user, CODE)
            for key, values in complete_sections(last_name=f"Charge{i:03d}", email=email).items():
                if key in EMPTY:
                    continue
                if key == "situation":  # a mistake to fix: the overview lists it with the field's label
                    values = {**values, "quotite": "cent vingt"}
                spec = services.section_spec(cert, key, dossier)
                form = services.build_form(spec, cert, formdata=post_data(values, action="draft"))
                services.save_section(dossier, spec, form, actor=user, cert=cert)
            for number in range(1, ANNEXES + 1):
                digest = hashlib.sha256(f"{dossier.id}-{number}".encode()).hexdigest()
                annex = Annex(dossier=dossier, number=number, title=f"Pièce justificative {number}",
                              filename=f"piece-{number}.pdf", media_type="application/pdf", size=120_000,
                              sha256=digest, storage_key=f"bench/{digest}", pages=3, scan_state=ScanState.CLEAN,
                              uploaded_by_id=user.id)
                for code in competencies[number % len(competencies)::ANNEXES][:2]:
                    annex.competencies.append(AnnexCompetency(competency_code=code))
                db.session.add(annex)
            db.session.commit()
            lines.append(f"account {email} {dossier.id}")
    print("\n".join(lines))
