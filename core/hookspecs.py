"""Every hook of Livret, in one module.

Hooks are called by core with keyword arguments only. A plugin implements a
hook by defining a function of the same name decorated with
:data:`hookimpl`; it may accept any subset of the arguments. Plugins return
data, not side effects: core decides what to do with it.

A hook marked *firstresult* stops at the first plugin returning something
other than ``None``; plugins registered later are asked first, and core's
default plugins (``core/default_plugins``) are marked ``trylast`` so that any
installed plugin can replace them.

Two kinds of hooks:

* **per-certification** hooks (marked :func:`per_certification`, listed in
  :data:`PER_CERTIFICATION`) concern one certification, passed as
  ``certification``. Core calls them only on the plugin that declared that
  certification (the descriptor carries it: ``certification.provider``) and
  on core's default plugins, through pluggy's ``subset_hook_caller`` (see
  :func:`core.plugins.certification_hook`). A plugin therefore never filters
  on ``certification.code``. Deprecated, for one release: a plugin that
  implements such a hook but declares no certification (e.g. a plugin
  overriding another plugin's decision rule) is still called for every
  certification, with a ``DeprecationWarning`` naming it at start-up.
* **cross-cutting** hooks (templates, settings, mailer, job queue, payment
  providers, the certifications themselves) are called on every plugin.

``docs/plugins.md`` documents each hook for plugin authors; a test checks
that every hook below is documented there and exercised by the test suite.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("livret")
hookimpl = pluggy.HookimplMarker("livret")

_PER_CERTIFICATION_ATTR = "livret_per_certification"


def per_certification(spec):
    """Mark a hook specification as per-certification (put it above ``@hookspec``).

    Core calls such a hook only on the plugin that declared the certification
    (and on core's default plugins); see the module's docstring.
    """
    setattr(spec, _PER_CERTIFICATION_ATTR, True)
    return spec


# ---------------------------------------------------------------------------
# Certifications (called on every plugin: this is how a plugin becomes the
# provider of its certifications)
# ---------------------------------------------------------------------------

@hookspec
def livret_certifications():
    """Return the certifications this plugin provides.

    Called once when the application starts (and again when a plugin is
    registered or unregistered at run time, e.g. in tests).

    :return: a list of :class:`core.certifications.descriptor.Certification`.
        Each code must be unique across all plugins; a duplicate stops the
        start-up with an error naming both plugins. Core records on each
        descriptor the plugin that returned it (``plugin``, its name, and
        ``provider``, the plugin object): the per-certification hooks below
        are called on that plugin only.
    """


# ===========================================================================
# Per-certification hooks: called only on the plugin that declared
# ``certification`` (and on core's default plugins). No code filter needed.
# ===========================================================================

# ---------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------

@per_certification
@hookspec(firstresult=True)
def livret_dossier_sections(certification):
    """Return the ordered sections of the candidate's dossier for ``certification`` (firstresult).

    Asked once per certification and language, the answer kept by core
    until a plugin is registered or unregistered: return the same sections
    for the same certification and language (titles may be translated).

    :param certification: one of this plugin's
        :class:`core.certifications.descriptor.Certification`.
    :return: a list of :class:`core.dossiers.sections.SectionSpec`. A
        certification for which no plugin returns sections has no online
        dossier.
    """


@per_certification
@hookspec
def livret_dossier_problems(certification, dossier, sections):
    """Return what prevents submitting ``dossier``, beyond core's own checks.

    Called by the completeness check (the dossier page, the API, and just
    before submission). Core already reports incomplete required sections,
    missing or unscanned annexes and competencies without evidence; a plugin
    adds its own rules here (e.g. a deadline counted from a date of the
    dossier).

    :param certification: the dossier's certification (one of this plugin's).
    :param dossier: the :class:`core.dossiers.models.Dossier` (read only).
    :param sections: ``{section_key: data}``, the saved data of every section.
    :return: a list of :class:`core.dossiers.sections.Problem`, or ``None``.
    """


# ---------------------------------------------------------------------------
# Jury: composition, grid, decision
# ---------------------------------------------------------------------------

@per_certification
@hookspec
def livret_jury_problems(certification, session):
    """Check a session's jury against the certification's composition rules.

    Called each time the session page is shown and before the session
    manager opens a session (a session with a blocking problem cannot open).
    The problems of the certification's plugin are shown together with
    those of core's default plugin, which checks what holds for every
    certification (at least one juror and one candidate, no juror who is the
    candidate).

    :param certification: the session's
        :class:`~core.certifications.descriptor.Certification` (one of this
        plugin's).
    :param session: the :class:`core.jury.models.JurySession` (read-only):
        ``session.jurors`` (``SessionJuror``: ``user``, ``professional``,
        ``experience_years``, ``external``, ``position``, ``company``),
        ``session.candidates`` (``SessionCandidate``: ``dossier``,
        ``declarations`` of each juror: ``no_link``, ``no_training``),
        ``session.starts_at``.
    :return: a list of :class:`~core.certifications.descriptor.JuryProblem`
        whose ``message`` is French and names the rule.
    """


@per_certification
@hookspec(firstresult=True)
def livret_jury_regulation(certification):
    """Return the part of the certification's règlement its jury receives with the convocation (firstresult).

    Called when a session's page is shown (to announce the document; keep it
    cheap) and when a session of ``certification`` opens: core renders the
    document as a tagged PDF (PDF/A-3a, PDF/UA-1) and attaches it to each
    juror's convocation e-mail, then records when it was sent
    (``JurySession.regulation_sent_at``, shown on the session page and in the
    API). A rendering failure refuses the opening; nothing is changed.

    :param certification: the session's
        :class:`~core.certifications.descriptor.Certification` (one of this
        plugin's).
    :return: a :class:`~core.certifications.descriptor.JuryRegulation` whose
        text is the règlement's, in French; ``None`` (the default): the jury
        receives no document.
    """


@per_certification
@hookspec(firstresult=True)
def livret_evaluation_grid(certification):
    """Return the individual evaluation grid of a certification (firstresult).

    Called when a juror opens a grid, when grids are consolidated and when
    the grid document is rendered. Core's default plugin derives it from the
    descriptor: criteria met / not met when the competencies have criteria,
    marks when ``rules.competency_scale`` is set, the evaluations having a
    ``max_score`` other than the competency scale as extra scores, block
    proposals when ``rules.block_validation``.

    :return: a :class:`~core.certifications.descriptor.Grid`, or ``None``.
    """


@per_certification
@hookspec(firstresult=True)
def livret_jury_decision(certification, consolidation):
    """Compute the decision the rules give for one candidate (firstresult).

    Called on the deliberation page: the result is what the jury is asked to
    confirm (it may amend it within the rules).

    :param consolidation: a
        :class:`~core.certifications.descriptor.Consolidation`.
    :return: a :class:`~core.certifications.descriptor.DecisionProposal`, or
        ``None`` to let core's default rule decide.
    """


@per_certification
@hookspec
def livret_decision_problems(certification, consolidation, decision):
    """Check a decision the jury wants to record against the rules.

    Called before a decision is recorded; any problem refuses it and is
    shown to the jury. The certification's plugin and core's default plugin
    are asked; the default checks
    that the outcome exists and that a comment is given when the outcome
    requires one.

    :param consolidation: a
        :class:`~core.certifications.descriptor.Consolidation`.
    :param decision: a
        :class:`~core.certifications.descriptor.RecordedDecision`.
    :return: a list of French messages, each naming the rule it applies.
    """


# ---------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------

@per_certification
@hookspec
def livret_retention_rules(certification):
    """Return how long the data of ``certification``'s dossiers is kept (RGPD art. 5-1-e).

    Called by the retention run (``livret retention run``, the scheduler),
    the retention report page, the privacy notice and the record of
    processing activities. Core's default plugin answers core's rules
    (:data:`core.privacy.declarations.CORE_RULES`) with the periods of the
    referential's ``[privacy.retention]`` table applied, so most plugins
    declare periods there and never implement this hook. A plugin whose
    periods need code returns its own rules; for each ``kind`` the plugin's
    rule wins over core's. An organisation may then change a period within
    the rule's ``minimum``/``maximum``.

    :param certification: one of this plugin's certifications.
    :return: a list of :class:`core.privacy.declarations.RetentionRule`
        (``kind`` among :data:`core.privacy.declarations.KINDS`), or ``None``.
    """


# ===========================================================================
# Cross-cutting hooks: called on every plugin.
# ===========================================================================

# ---------------------------------------------------------------------------
# Personal data (records)
# ---------------------------------------------------------------------------

@hookspec
def livret_processing_activities():
    """Return the processing activities this plugin adds to the record of processing activities (RGPD art. 30).

    Called by ``livret privacy register`` and by the privacy notice of each
    certification (« Informations sur vos données »). Core's default plugin
    (:mod:`core.default_plugins.privacy`) declares core's own activities
    (accounts, fees, the audit trail) and one per installed certification
    (its dossiers, jury and documents) built from its referential's
    ``[privacy]`` table. A plugin adds activities of its own (e.g. a proctoring service);
    an activity whose ``key`` another plugin already declared is ignored.

    :return: a list of :class:`core.privacy.declarations.ProcessingActivity`,
        or ``None``.
    """

# ---------------------------------------------------------------------------
# Fees
# ---------------------------------------------------------------------------

@hookspec
def livret_payment_providers(certification):
    """Return the payment providers offered for the fees of ``certification``.

    Cross-cutting: every plugin is asked, for every certification (a payment
    plugin usually declares no certification); filter on
    ``certification.code`` if a provider is meant for some only.

    Called whenever a fee page (candidate, third-party payer) is shown, a
    payment is started and a provider's notification arrives. Results of all
    plugins are merged; when two providers share a ``key``, the one of the
    plugin registered last wins, so a plugin can replace a shipped provider.
    Core ships ``bank_transfer`` and ``third_party_invoice`` as a default
    plugin (``core.default_plugins.fees``, ``trylast``).

    :param certification: a :class:`core.certifications.descriptor.Certification`.
    :return: a list of provider objects (see :mod:`core.fees.providers`:
        ``key``, French ``label``, ``available_for(fee_request)``,
        ``instructions(fee_request)``, and for online providers ``start`` and
        ``handle_notification``), or ``None``.
    """


# ---------------------------------------------------------------------------
# Presentation
# ---------------------------------------------------------------------------

@hookspec
def livret_template_dirs():
    """Return folders holding this plugin's Jinja templates.

    Called once when the application starts. Templates must live in a
    sub-folder named after the plugin (``templates/<plugin>/...``) so that
    they never shadow core templates or another plugin's.

    :return: a list of ``str`` or ``pathlib.Path``.
    """


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

@hookspec
def livret_settings():
    """Return this plugin's settings with their default values.

    Called once when the application starts. Every key must start with the
    plugin's name in upper case followed by ``_`` (e.g. ``RS6776_ORAL_ROOM``);
    an operator overrides it with the environment variable ``LIVRET_<KEY>``
    or in the instance file. Values from the environment arrive as strings
    and are converted to the type of the default (bool, int, float, str).

    :return: a ``dict`` of setting name to default value.
    """


# ---------------------------------------------------------------------------
# Infrastructure (core ships defaults; a plugin may replace them)
# ---------------------------------------------------------------------------

@hookspec(firstresult=True)
def livret_mailer(config):
    """Return the object that sends e-mails (firstresult).

    Called once when the application starts.

    :param config: the application's configuration mapping.
    :return: an object with ``send(message: core.mail.Message) -> None``, or
        ``None`` to let another plugin answer. Core's default plugin returns
        the outbox mailer or the SMTP mailer per ``MAIL_BACKEND``.
    """


@hookspec(firstresult=True)
def livret_person_signer(user, config, days):
    """Return what signs for ``user`` when they sign a document (firstresult).

    Called each time a candidate, a juror or a session manager signs (a
    submission, a grid, a procès-verbal), after they typed their password
    again. Core's default plugin (:mod:`core.default_plugins.signing`) issues a
    certificate valid ``days`` days from the development PKI
    (``SIGNING_DEV_PKI=true``) or from the configured production CA
    (``SIGNING_PERSON_CA_*``, :mod:`signing.person_ca`). A plugin connecting a
    remote (e.g. qualified) signing service returns its own signer; with such
    a plugin installed, production starts without ``SIGNING_PERSON_CA_*``.

    :param user: the :class:`core.auth.models.User` who signs (name and
        e-mail go into the certificate).
    :param config: the :class:`signing.SigningConfig` of the platform.
    :param days: the validity wanted (``SIGNING_PERSON_CERT_DAYS``).
    :return: a :class:`signing.PersonSigner` (key, certificate and chain) or a
        pyHanko ``Signer`` whose ``signing_cert`` names the person, or
        ``None`` to let another plugin answer.
    """


@hookspec(firstresult=True)
def livret_job_queue(config):
    """Return the job queue that runs slow work (firstresult).

    Called once when the application starts.

    :param config: the application's configuration mapping.
    :return: an object with ``enqueue(func_path: str, **kwargs) -> str``, or
        ``None``. Core's default plugin returns the inline queue or the RQ
        queue per ``JOBS_BACKEND``.
    """


# ---------------------------------------------------------------------------

#: Names of the per-certification hooks (those marked :func:`per_certification`).
PER_CERTIFICATION: frozenset[str] = frozenset(
    name for name, obj in list(globals().items())
    if name.startswith("livret_") and getattr(obj, _PER_CERTIFICATION_ATTR, False))
