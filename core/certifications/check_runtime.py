"""The checks of ``livret plugin check`` that run the plugin's code: sections and their JSON Schemas,
the plugin's example dossier, templates, the Livret 2 PDF, and the decision rules under ``hypothesis``.

Example data (optional, no hook): a function ``example_sections(certification)`` returning
``{section_key: data}`` for a complete dossier (values as ``to_data()`` gives them or as typed in the
browser), or ``None`` for a certification it has no example of. It is looked up on the plugin object
itself, then in the module ``testing`` of the plugin's package (``livret_mycert.testing``).
"""
from __future__ import annotations

import importlib
import inspect
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _

from core.certifications.check import (DECISION, DOCUMENTS, SECTIONS, TEMPLATES, Finding, _Collector, _describe,
                                       declared_outcomes)
from core.certifications.descriptor import Certification, DecisionProposal, Grid, RecordedDecision

TEMPLATE_SUFFIXES = {".html", ".htm", ".txt", ".xml", ".svg", ".j2", ".jinja", ".jinja2"}
EXAMPLE_FUNCTION = "example_sections"


# ---------------------------------------------------------------------------
# example data
# ---------------------------------------------------------------------------

def example_function(plugin: Any) -> Callable[..., Any] | None:
    """The plugin's ``example_sections`` (see the module's docstring), or ``None``."""
    found = getattr(plugin, EXAMPLE_FUNCTION, None)
    if callable(found):
        return found
    module = plugin.__name__ if inspect.ismodule(plugin) else type(plugin).__module__
    package = (module or "").split(".")[0]
    if not package:
        return None
    try:
        testing = importlib.import_module(f"{package}.testing")
    except ModuleNotFoundError as exc:
        if exc.name in (f"{package}.testing", package):
            return None
        raise
    found = getattr(testing, EXAMPLE_FUNCTION, None)
    return found if callable(found) else None


# ---------------------------------------------------------------------------
# templates
# ---------------------------------------------------------------------------

def check_templates(plugin: Any, name: str, pm) -> list[Finding]:
    """Every template of the folders the plugin declares compiles, lives under ``<plugin>/`` and is the one
    Jinja finds under its name (not shadowed)."""
    out = _Collector("", TEMPLATES)
    impls = [impl for impl in pm.hook.livret_template_dirs.get_hookimpls() if impl.plugin is plugin]
    if not impls:
        return []
    try:
        dirs = impls[0].function() or []
    except Exception as exc:  # noqa: BLE001
        out.error("livret_template_dirs", _("Le hook livret_template_dirs a levé une exception : %(error)s",
                                            error=_describe(exc)))
        return out.findings
    env = current_app.jinja_env
    for entry in dirs:
        folder = Path(entry)
        if not folder.is_dir():
            out.error(str(folder), _("Le dossier de gabarits %(path)s n'existe pas.", path=folder))
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEMPLATE_SUFFIXES):
            rel = file.relative_to(folder).as_posix()
            if rel.split("/")[0] != name:
                out.warning(rel, _("Le gabarit %(name)s n'est pas rangé dans le dossier « %(plugin)s/ » : il peut "
                                   "masquer un gabarit de Livret ou d'un autre greffon.", name=rel, plugin=name))
            try:
                env.compile(file.read_text(encoding="utf-8"), rel, str(file))
            except Exception as exc:  # noqa: BLE001 - syntax errors, undefined filters, encoding
                line = getattr(exc, "lineno", None)
                out.error(f"{rel}:{line}" if line else rel,
                          _("Le gabarit %(name)s ne se compile pas : %(error)s", name=rel, error=_describe(exc)))
                continue
            try:
                loaded = env.get_template(rel).filename
            except Exception as exc:  # noqa: BLE001
                out.error(rel, _("Jinja ne trouve pas le gabarit %(name)s : %(error)s", name=rel, error=_describe(exc)))
                continue
            if loaded and Path(loaded).resolve() != file.resolve():
                out.warning(rel, _("Le gabarit %(name)s est masqué par %(other)s.", name=rel, other=loaded))
    return out.findings


# ---------------------------------------------------------------------------
# sections, example data, the Livret 2
# ---------------------------------------------------------------------------

def _errors_text(errors: dict[str, list[str]], limit: int = 3) -> str:
    items = [f"{path} : {' '.join(messages)}" for path, messages in errors.items()]
    return " ; ".join(items[:limit]) + (" …" if len(items) > limit else "")


def check_sections_and_documents(cert: Certification, pm, *, documents: bool = True) -> list[Finding]:
    with current_app.test_request_context():
        return _check_sections(cert, pm, documents=documents)


def _check_sections(cert: Certification, pm, *, documents: bool) -> list[Finding]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from core.dossiers.sections import FORM, SectionSpec
    from core.plugins import certification_hook

    out = _Collector(cert.code, SECTIONS)
    try:
        specs = certification_hook(cert, "livret_dossier_sections", pm)(certification=cert)
    except Exception as exc:  # noqa: BLE001
        out.error("livret_dossier_sections", _("Le hook livret_dossier_sections a levé une exception : %(error)s",
                                               error=_describe(exc)))
        return out.findings
    if specs is None:
        out.info("livret_dossier_sections", _("Aucune section : la certification n'a pas de dossier en ligne."))
        return out.findings
    if not isinstance(specs, list) or not all(isinstance(s, SectionSpec) for s in specs):
        out.error("livret_dossier_sections", _("Le hook livret_dossier_sections doit renvoyer une liste de "
                                               "SectionSpec."))
        return out.findings
    keys = [s.key for s in specs]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        out.error(key, _("La section %(key)s est déclarée deux fois.", key=key))
    plugin = pm.get_plugin(cert.plugin) if cert.plugin else None
    example = None
    try:
        function = example_function(plugin) if plugin is not None else None
        example = function(cert) if function else None
    except Exception as exc:  # noqa: BLE001
        out.error(EXAMPLE_FUNCTION, _("Les données d'exemple du greffon n'ont pas pu être chargées : %(error)s",
                                      error=_describe(exc)))
    if example is None:
        out.info(EXAMPLE_FUNCTION, _("Pas de données d'exemple (fonction example_sections) : les schémas ne sont "
                                     "pas confrontés à un dossier complet et le Livret 2 n'est pas produit."))
    saved: dict[str, Any] = {}
    for spec in specs:
        if spec.kind != FORM:
            continue
        where = f"section {spec.key}"
        try:
            schemas = [spec.form.json_schema(certification=cert),
                       spec.form.json_schema(certification=cert, partial=True)]
        except Exception as exc:  # noqa: BLE001
            out.error(where, _("Le schéma JSON de la section %(key)s ne peut pas être produit : %(error)s",
                               key=spec.key, error=_describe(exc)))
            continue
        valid = True
        for schema in schemas:
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as exc:
                valid = False
                path = "/".join(str(p) for p in exc.path) or "/"
                out.error(where, _("Le schéma JSON de la section %(key)s n'est pas un JSON Schema 2020-12 valide "
                                   "(%(path)s) : %(error)s", key=spec.key, path=path, error=exc.message))
                break
        data = example.get(spec.key) if isinstance(example, dict) else None
        form = None
        if isinstance(example, dict) and data is None:
            out.error(where, _("Les données d'exemple ne contiennent pas la section %(key)s.", key=spec.key))
        elif data is not None:
            try:
                form = spec.form.from_data(data, certification=cert)
                if not form.validate():
                    out.error(where, _("Les données d'exemple de la section %(key)s sont refusées par le "
                                       "formulaire : %(errors)s", key=spec.key, errors=_errors_text(form.errors_by_path())))
                saved[spec.key] = form.to_data()
            except Exception as exc:  # noqa: BLE001
                out.error(where, _("Le formulaire de la section %(key)s échoue sur les données d'exemple : "
                                   "%(error)s", key=spec.key, error=_describe(exc)))
            if valid and spec.key in saved:
                validator = Draft202012Validator(schemas[0], format_checker=Draft202012Validator.FORMAT_CHECKER)
                errors = sorted(validator.iter_errors(saved[spec.key]), key=lambda e: list(e.path))
                for error in errors[:3]:
                    path = "/".join(str(p) for p in error.path) or "/"
                    out.error(where, _("Le schéma JSON de la section %(key)s refuse les données d'exemple "
                                       "(%(path)s) : %(error)s", key=spec.key, path=path, error=error.message))
        try:
            (form or spec.form(formdata=None, certification=cert, meta={"csrf": False})).render()
        except Exception as exc:  # noqa: BLE001
            out.error(where, _("La section %(key)s ne s'affiche pas : %(error)s", key=spec.key, error=_describe(exc)))
    findings = out.findings
    if documents and isinstance(example, dict) and saved:
        findings += check_livret2(cert, specs, saved)
    return findings


def check_livret2(cert: Certification, specs: list, saved: dict[str, Any]) -> list[Finding]:
    """The Livret 2 of the example dossier (the preview the candidate sees before signing) is a tagged PDF."""
    import pikepdf

    from core.documents.services import render_livret2
    from core.dossiers.livret import build_livret2

    out = _Collector(cert.code, DOCUMENTS)
    now = datetime.now(timezone.utc)
    dossier = SimpleNamespace(candidate=SimpleNamespace(last_name="Exemple", first_name="Camille"),
                              reference="EXEMPLE")
    version = SimpleNamespace(content=saved, manifest=[], number=1, submitted_at=now)
    try:
        pdf = render_livret2(build_livret2(dossier, version, cert, specs), created=now, preview=True)
    except Exception as exc:  # noqa: BLE001
        out.error("Livret 2", _("Le Livret 2 du dossier d'exemple ne peut pas être produit : %(error)s",
                                error=_describe(exc)))
        return out.findings
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            root = doc.Root
            tagged = "/StructTreeRoot" in root
            marked = "/MarkInfo" in root and bool(root.MarkInfo.get("/Marked", False))
    except Exception as exc:  # noqa: BLE001
        out.error("Livret 2", _("Le Livret 2 produit n'est pas un PDF lisible : %(error)s", error=_describe(exc)))
        return out.findings
    if not tagged:
        out.error("Livret 2", _("Le Livret 2 n'est pas un PDF balisé : pas d'arbre de structure (/StructTreeRoot)."))
    if not marked:
        out.error("Livret 2", _("Le Livret 2 n'est pas un PDF balisé : /MarkInfo << /Marked true >> manque."))
    return out.findings


# ---------------------------------------------------------------------------
# decision rules, property-based
# ---------------------------------------------------------------------------

class _Broken(Exception):
    """The rules broke the contract for one generated consolidation."""

    def __init__(self, hook: str, message: str) -> None:
        super().__init__(message)
        self.hook, self.message = hook, message


def candidates(cert: Certification, grid: Grid):
    """A ``hypothesis`` strategy of session candidates shaped as :func:`core.jury.services.consolidate`
    reads them: attendance, attempt, and 1 to 3 completed grids filled as the grid allows."""
    from hypothesis import strategies as st

    from core.evaluation.grids import BLOCK_VALUES, CRITERION_VALUES
    from core.jury.models import Attendance, GridStatus

    def steps(maximum: float, step: float = 0.5):
        return st.integers(0, max(int(maximum / step), 0)).map(lambda i: round(i * step, 4))

    juror: dict[str, Any] = {}
    if grid.mode == "marks":
        juror["competencies"] = st.fixed_dictionaries(
            {c.code: st.fixed_dictionaries({"mark": steps(grid.scale or 5.0)}) for c in cert.competencies})
    else:
        juror["criteria"] = st.fixed_dictionaries(
            {k.code: st.sampled_from(CRITERION_VALUES) for c in cert.competencies for k in c.criteria})
    if grid.block_proposals:
        juror["blocks"] = st.fixed_dictionaries({b.code: st.sampled_from(BLOCK_VALUES) for b in cert.blocks})
    if grid.scores:
        juror["scores"] = st.fixed_dictionaries({s.key: steps(s.maximum, s.step or 0.5) for s in grid.scores})
    juror["proposal"] = st.one_of(st.none(), st.sampled_from([o.code for o in grid.outcomes] or [""]))
    retakes = cert.rules.retakes if cert.rules else 0

    def build(args):
        present, attempt, grids = args
        return SimpleNamespace(
            session=SimpleNamespace(jurors=[SimpleNamespace(user_id=i) for i in range(len(grids))]),
            grids=[SimpleNamespace(status=GridStatus.COMPLETED, juror_id=i, data=d) for i, d in enumerate(grids)],
            attendance=Attendance.PRESENT if present else Attendance.ABSENT, attempt=attempt)

    return st.tuples(st.booleans(), st.integers(1, 1 + max(retakes, 0)),
                     st.lists(st.fixed_dictionaries(juror), min_size=1, max_size=3)).map(build)


def _call(hook: str, function: Callable[[], Any]) -> Any:
    try:
        return function()
    except Exception as exc:  # noqa: BLE001
        raise _Broken(hook, _("%(hook)s lève %(error)s", hook=hook, error=_describe(exc))) from exc


def check_decisions(cert: Certification, grid: Grid, pm, *, max_examples: int = 200) -> list[Finding]:
    """For generated consolidations: ``livret_jury_decision`` answers an outcome the certification declares,
    and ``livret_decision_problems`` answers a list of messages for the decision proposed, without raising."""
    out = _Collector(cert.code, DECISION)
    try:
        from hypothesis import HealthCheck, Phase, given, settings
    except ImportError:
        out.error(DECISION, _("hypothesis n'est pas installé : installez « livret[dev] » pour vérifier les règles "
                              "de décision."))
        return out.findings
    from core.jury.services import consolidate, consolidation_dict, mean
    from core.plugins import certification_hook

    outcomes = declared_outcomes(cert, grid)
    seen: dict[str, Any] = {}

    def once(candidate) -> None:
        consolidation = consolidate(candidate)
        seen["consolidation"] = consolidation
        proposal = _call("livret_jury_decision", lambda: certification_hook(cert, "livret_jury_decision", pm)(
            certification=cert, consolidation=consolidation))
        if not isinstance(proposal, DecisionProposal):
            raise _Broken("livret_jury_decision", _("livret_jury_decision renvoie %(type)s au lieu d'une "
                                                    "DecisionProposal", type=type(proposal).__name__))
        if proposal.outcome not in outcomes:
            raise _Broken("livret_jury_decision", _("livret_jury_decision propose « %(outcome)s », qui n'est pas une "
                                                    "décision déclarée (%(declared)s)", outcome=proposal.outcome,
                                                    declared=", ".join(sorted(outcomes))))
        decision = RecordedDecision(
            outcome=proposal.outcome, validated_blocks=proposal.validated_blocks, comment=_("Commentaire du jury."),
            marks={k: mean(v) for k, v in consolidation.marks.items() if v},
            scores={k: mean(v) for k, v in consolidation.scores.items() if v})
        problems = _call("livret_decision_problems", lambda: certification_hook(cert, "livret_decision_problems", pm)(
            certification=cert, consolidation=consolidation, decision=decision))
        for found in problems:
            if found is not None and not (isinstance(found, (list, tuple))
                                          and all(isinstance(m, str) or hasattr(m, "__html__") for m in found)):
                raise _Broken("livret_decision_problems", _("livret_decision_problems doit renvoyer une liste de "
                                                            "messages"))

    run = settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate, Phase.shrink),
                   print_blob=False, report_multiple_bugs=False)(given(candidates(cert, grid))(once))
    try:
        run()
    except _Broken as exc:
        snapshot = json.dumps(consolidation_dict(seen["consolidation"]), ensure_ascii=False, sort_keys=True)
        if len(snapshot) > 600:
            snapshot = snapshot[:600] + " …"
        out.error(exc.hook, _("%(problem)s pour cette consolidation des grilles : %(consolidation)s",
                              problem=exc.message, consolidation=snapshot))
    except Exception as exc:  # noqa: BLE001 - hypothesis itself, or the strategy
        out.error(DECISION, _("Les règles de décision n'ont pas pu être vérifiées : %(error)s", error=_describe(exc)))
    return out.findings
