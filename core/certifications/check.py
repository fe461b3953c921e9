"""``livret plugin check``: a certification plugin checked against the contract.

Each check returns :class:`Finding` objects (severity, certification, what was
checked, where, a French message); :func:`check_certifications` runs them all
for some or all installed certifications and returns a :class:`Report`. An
error means the plugin breaks the contract (the command exits 1); a warning
is worth a look; an info says what could not be checked and why.

Checks that need no code of the plugin to run (the descriptor, the grid, the
hook implementations) live here; those that run the plugin's code (sections
and their example data, templates, the Livret 2 PDF, the decision rules under
``hypothesis``) live in :mod:`core.certifications.check_runtime`.

Everything runs inside an application context (the plugin manager and the
certifications are the application's).
"""
from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from typing import Any, Iterable

from flask import current_app
from flask_babel import gettext as _

from core import hookspecs
from core.certifications.descriptor import Certification, Grid

ERROR, WARNING, INFO = "error", "warning", "info"

#: what each check is about (the ``what`` of a finding)
REFERENTIAL, GRID, HOOKS, SECTIONS, TEMPLATES, DOCUMENTS, DECISION = (
    "referential", "grid", "hooks", "sections", "templates", "documents", "decision")


@dataclass(frozen=True)
class Finding:
    severity: str  # ERROR, WARNING or INFO
    certification: str  # its code, or "" for a finding about the plugin as a whole
    what: str  # REFERENTIAL, GRID, HOOKS...
    where: str  # e.g. "C1", "section etat_civil", "livret_jury_decision"
    message: str  # French


@dataclass
class Report:
    certifications: list[str] = field(default_factory=list)  # codes checked
    plugins: list[str] = field(default_factory=list)  # plugin names checked
    findings: list[Finding] = field(default_factory=list)

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self.of(ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Collector:
    """Builds the findings of one certification (or plugin) and one check."""

    def __init__(self, certification: str, what: str) -> None:
        self.certification, self.what = certification, what
        self.findings: list[Finding] = []

    def add(self, severity: str, where: str, message: str) -> None:
        self.findings.append(Finding(severity, self.certification, self.what, where, message))

    def error(self, where: str, message: str) -> None:
        self.add(ERROR, where, message)

    def warning(self, where: str, message: str) -> None:
        self.add(WARNING, where, message)

    def info(self, where: str, message: str) -> None:
        self.add(INFO, where, message)


# ---------------------------------------------------------------------------
# referential: blocks, competencies, criteria, evaluations
# ---------------------------------------------------------------------------

def check_referential(cert: Certification) -> list[Finding]:
    out = _Collector(cert.code, REFERENTIAL)
    if not cert.blocks:
        out.error(cert.code, _("La certification ne déclare aucun bloc de compétences."))
    seen_blocks: set[str] = set()
    for block in cert.blocks:
        if block.code in seen_blocks:
            out.error(block.code, _("Le bloc %(code)s est déclaré deux fois.", code=block.code))
        seen_blocks.add(block.code)
        if not block.competencies:
            out.error(block.code, _("Le bloc %(code)s ne contient aucune compétence.", code=block.code))
    competencies: set[str] = set()
    for comp in cert.competencies:
        if comp.code in competencies:
            out.error(comp.code, _("La compétence %(code)s est déclarée deux fois.", code=comp.code))
        competencies.add(comp.code)
        if not comp.criteria:
            out.error(comp.code, _("La compétence %(code)s n'a aucun critère d'évaluation.", code=comp.code))
        criteria = [c.code for c in comp.criteria]
        for code in sorted({c for c in criteria if criteria.count(c) > 1}):
            out.error(comp.code, _("Le critère %(criterion)s de la compétence %(code)s est déclaré deux fois.",
                                   criterion=code, code=comp.code))
    evaluations = {e.code: e for e in (cert.scheme.evaluations if cert.scheme else ())}
    assessed: set[str] = set()
    for ev in evaluations.values():
        if not ev.competencies:
            out.warning(ev.code, _("L'épreuve %(code)s n'évalue aucune compétence.", code=ev.code))
        for code in ev.competencies:
            assessed.add(code)
            if code not in competencies:
                out.error(ev.code, _("L'épreuve %(evaluation)s évalue la compétence %(code)s, qui n'existe pas "
                                     "dans la certification.", evaluation=ev.code, code=code))
    for block in cert.blocks:
        for code in block.evaluations:
            if code not in evaluations:
                out.error(block.code, _("Le bloc %(block)s renvoie à l'épreuve %(code)s, qui n'existe pas.",
                                        block=block.code, code=code))
    for comp in cert.competencies:
        for code in comp.evaluations:
            assessed.add(comp.code)
            if code not in evaluations:
                out.error(comp.code, _("La compétence %(competency)s renvoie à l'épreuve %(code)s, qui n'existe "
                                       "pas.", competency=comp.code, code=code))
    if evaluations:
        for comp in cert.competencies:
            if comp.code not in assessed:
                out.warning(comp.code, _("Aucune épreuve n'évalue la compétence %(code)s.", code=comp.code))
    rules = cert.rules
    if rules is not None:
        codes = [o.code for o in rules.outcomes]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            out.error(code, _("La décision %(code)s est déclarée deux fois.", code=code))
        if rules.competency_scale is not None and rules.competency_threshold is not None and not (
                0 <= rules.competency_threshold <= rules.competency_scale):
            out.error("rules", _("Le seuil d'acquisition %(threshold)s n'est pas compris entre 0 et %(scale)s.",
                                 threshold=f"{rules.competency_threshold:g}", scale=f"{rules.competency_scale:g}"))
    return out.findings


# ---------------------------------------------------------------------------
# the evaluation grid (hook livret_evaluation_grid)
# ---------------------------------------------------------------------------

def grid_of(cert: Certification, pm) -> Grid | None:
    from core.plugins import certification_hook

    return certification_hook(cert, "livret_evaluation_grid", pm)(certification=cert)


def check_grid(cert: Certification, pm) -> tuple[Grid | None, list[Finding]]:
    """The grid the hook returns for ``cert``, and what is wrong with it: every item of the grid (criteria,
    marks, block proposals, extra scores) must belong to a competency of the certification."""
    out = _Collector(cert.code, GRID)
    try:
        grid = grid_of(cert, pm)
    except Exception as exc:  # noqa: BLE001 - any failure of the plugin's code is a finding
        out.error("livret_evaluation_grid", _("Le hook livret_evaluation_grid a levé une exception : %(error)s",
                                              error=_describe(exc)))
        return None, out.findings
    if not isinstance(grid, Grid):
        out.error("livret_evaluation_grid", _("Le hook livret_evaluation_grid ne renvoie pas une grille (Grid) "
                                              "mais %(type)s.", type=type(grid).__name__))
        return None, out.findings
    if grid.mode not in ("criteria", "marks"):
        out.error("mode", _("Mode de grille inconnu « %(mode)s » : « criteria » ou « marks » attendu.",
                            mode=grid.mode))
    if not grid.outcomes:
        out.error("outcomes", _("La grille ne propose aucune décision."))
    if grid.mode == "marks":
        if not grid.scale or grid.scale <= 0:
            out.error("scale", _("Une grille notée doit avoir un barème positif (scale)."))
        elif grid.threshold is not None and not 0 <= grid.threshold <= grid.scale:
            out.error("threshold", _("Le seuil %(threshold)s de la grille n'est pas compris entre 0 et %(scale)s.",
                                     threshold=f"{grid.threshold:g}", scale=f"{grid.scale:g}"))
    competencies = {c.code for c in cert.competencies}
    evaluations = {e.code: e for e in (cert.scheme.evaluations if cert.scheme else ())}
    keys: list[str] = []
    for score in grid.scores:
        keys.append(score.key)
        ev = evaluations.get(score.key)
        if ev is None:
            out.error(score.key, _("La note « %(label)s » (%(key)s) de la grille ne correspond à aucune épreuve de "
                                   "la certification : elle n'est rattachée à aucune compétence.",
                                   label=score.label, key=score.key))
        elif not any(code in competencies for code in ev.competencies):
            out.error(score.key, _("La note « %(label)s » (%(key)s) de la grille n'est rattachée à aucune "
                                   "compétence de la certification.", label=score.label, key=score.key))
        if score.maximum <= 0:
            out.error(score.key, _("La note %(key)s a un maximum nul ou négatif.", key=score.key))
        if score.eliminatory_below is not None and not 0 <= score.eliminatory_below <= score.maximum:
            out.error(score.key, _("Le seuil éliminatoire de la note %(key)s n'est pas compris entre 0 et "
                                   "%(max)s.", key=score.key, max=f"{score.maximum:g}"))
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        out.error(key, _("La note %(key)s figure deux fois dans la grille.", key=key))
    return grid, out.findings


def declared_outcomes(cert: Certification, grid: Grid | None) -> set[str]:
    """The outcome codes a decision may have: the grid's, the rules', and « absent »."""
    from core.default_plugins.jury import ABSENT

    codes = {ABSENT}
    codes.update(o.code for o in (grid.outcomes if grid else ()))
    codes.update(o.code for o in (cert.rules.outcomes if cert.rules else ()))
    return codes


# ---------------------------------------------------------------------------
# hook implementations and their signatures
# ---------------------------------------------------------------------------

def _spec_names() -> set[str]:
    return {name for name, obj in vars(hookspecs).items()
            if name.startswith("livret_") and callable(obj)}


def _spec_args(pm, name: str) -> tuple[str, ...]:
    caller = getattr(pm.hook, name, None)
    spec = getattr(caller, "spec", None)
    if spec is not None:
        return tuple(spec.argnames)
    return tuple(inspect.signature(getattr(hookspecs, name)).parameters)


def check_hooks(plugin: Any, name: str, pm) -> list[Finding]:
    """What pluggy lets through about the plugin's hook implementations.

    pluggy refuses, at registration, an implementation with a positional
    argument the specification does not have, and an unknown hook only in
    ``check_pending()``; it silently ignores a ``livret_*`` function without
    ``@hookimpl``, arguments with a default value (they never receive one)
    and ``*args`` / ``**kwargs`` (they receive nothing)."""
    from core.plugins import legacy_plugins

    out = _Collector("", HOOKS)
    specs = _spec_names()
    for attr in sorted(dir(plugin)):
        if not attr.startswith("livret_"):
            continue
        try:
            obj = getattr(plugin, attr)
        except Exception:  # noqa: BLE001 - a property that fails is not a hook
            continue
        if not callable(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
            continue
        opts = pm.parse_hookimpl_opts(plugin, attr)
        hook = (opts or {}).get("specname") or attr
        where = f"{name}.{attr}"
        if hook not in specs:
            close = difflib.get_close_matches(hook, sorted(specs), n=1)
            hint = _(" Vouliez-vous dire %(name)s ?", name=close[0]) if close else ""
            if opts is None:
                out.warning(where, _("La fonction %(name)s ne correspond à aucun hook de Livret et n'est pas "
                                     "décorée par @hookimpl : elle n'est jamais appelée.", name=attr) + hint)
            else:
                out.error(where, _("%(name)s ne correspond à aucun hook de Livret (core/hookspecs.py).",
                                   name=hook) + hint)
            continue
        if opts is None:
            out.error(where, _("%(name)s n'est pas décorée par @hookimpl : Livret ne l'appelle jamais.", name=attr))
            continue
        documented = _spec_args(pm, hook)
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            continue
        for param in params:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                out.error(where, _("%(name)s accepte *%(arg)s : Livret ne transmet que les arguments nommés un à "
                                   "un (%(args)s).", name=hook, arg=param.name, args=", ".join(documented)))
            elif param.name not in documented:
                out.error(where, _("%(name)s a un argument « %(arg)s » que le hook ne connaît pas ; arguments "
                                   "documentés : %(args)s.", name=hook, arg=param.name,
                                   args=", ".join(documented) or "—"))
            elif param.default is not param.empty:
                out.error(where, _("L'argument « %(arg)s » de %(name)s a une valeur par défaut : pluggy ne le "
                                   "transmet pas, il garde toujours sa valeur par défaut.", arg=param.name,
                                   name=hook))
    legacy = legacy_plugins(pm).get(name)
    if legacy:
        out.warning(name, _("Le greffon implémente %(hooks)s sans déclarer de certification : forme obsolète, "
                            "appelée pour toutes les certifications.", hooks=", ".join(legacy)))
    return out.findings


# ---------------------------------------------------------------------------
# everything
# ---------------------------------------------------------------------------

def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def installed_certifications() -> dict[str, Certification]:
    return dict(current_app.extensions["livret"].certifications)


def check_certifications(codes: Iterable[str] | None = None, *, max_examples: int = 200,
                         documents: bool = True) -> Report:
    """Check the certifications ``codes`` (every installed one when ``None``) and their plugins.

    ``max_examples``: the budget of ``hypothesis`` for the decision rules of each certification;
    ``documents=False`` skips the Livret 2 PDF (the slowest check). Raises ``KeyError`` naming an
    unknown code."""
    from core.certifications import check_runtime
    from core.privacy.check import check_privacy

    state = current_app.extensions["livret"]
    pm = state.pm
    certifications = installed_certifications()
    wanted = list(codes) if codes is not None else sorted(certifications)
    unknown = [code for code in wanted if code not in certifications]
    if unknown:
        raise KeyError(", ".join(unknown))
    report = Report()
    for code in wanted:
        cert = certifications[code]
        if cert.plugin and cert.plugin not in report.plugins:
            plugin = pm.get_plugin(cert.plugin)
            report.plugins.append(cert.plugin)
            if plugin is not None:
                report.findings += check_hooks(plugin, cert.plugin, pm)
                report.findings += check_runtime.check_templates(plugin, cert.plugin, pm)
        report.certifications.append(code)
        report.findings += check_referential(cert)
        grid, found = check_grid(cert, pm)
        report.findings += found
        report.findings += check_runtime.check_sections_and_documents(cert, pm, documents=documents)
        report.findings += check_privacy(cert, pm)
        if grid is not None:
            report.findings += check_runtime.check_decisions(cert, grid, pm, max_examples=max_examples)
    return report
