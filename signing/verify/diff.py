"""The difference analysis, once per revision pair for the whole document.

pyHanko reviews, for each signature, every revision that follows the signed
one (``StandardDiffPolicy.review_file``: ``apply(signed, later)`` for each
later revision).  A signature is reviewed several times during one
verification (its own validation, its timestamp's, the AdES long-term
validation); :class:`SharedDiffPolicy` answers every review of one document
from one cache keyed by the revision pair and the modification-detection
policy of the signature (FieldMDP, DocMDP), so that each pair is analysed by
pyHanko's :data:`~pyhanko.sign.diff_analysis.DEFAULT_DIFF_POLICY` at most once.
The verdict of a pair is the same whoever asks: the cache changes the time,
not the result.
"""
from __future__ import annotations

import logging

from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffPolicy, DiffResult, ModificationLevel
from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification

from .usages import prime

logger = logging.getLogger(__name__)


class SharedDiffPolicy(DiffPolicy):
    """A :class:`DiffPolicy` for one reader: the inner policy's ``apply`` runs
    once per ``(signed revision, later revision, FieldMDP, DocMDP)``."""

    def __init__(self, reader, inner: DiffPolicy = DEFAULT_DIFF_POLICY):
        self.reader = reader
        self.inner = inner
        self._pairs: dict[tuple, DiffResult | SuspiciousModification] = {}
        self._reviews: dict[tuple, DiffResult | SuspiciousModification] = {}
        #: revision pairs analysed by the inner policy (for the tests and the logs)
        self.analysed: list[tuple[int, int]] = []
        self._edges: dict = {}  # objects' references, shared by the usage maps of every revision

    @staticmethod
    def _mdp_key(field_mdp_spec, doc_mdp) -> tuple:
        return (repr(field_mdp_spec), getattr(doc_mdp, "value", doc_mdp))

    def apply(self, old, new, field_mdp_spec=None, doc_mdp=None) -> DiffResult:
        key = (old.revision, new.revision, *self._mdp_key(field_mdp_spec, doc_mdp))
        try:
            outcome = self._pairs[key]
        except KeyError:
            check = getattr(self.reader, "check_deadline", None)
            if check is not None:
                check()
            self.analysed.append((old.revision, new.revision))
            prime(old, self._edges)
            try:
                outcome = self.inner.apply(old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)
            except SuspiciousModification as exc:
                outcome = exc
            self._pairs[key] = outcome
        if isinstance(outcome, SuspiciousModification):
            raise outcome
        return outcome

    def review_file(self, reader, base_revision, field_mdp_spec=None, doc_mdp=None):
        """As ``StandardDiffPolicy.review_file`` (each later revision against the
        signed one, the highest level wins, the first suspicious one stops),
        through :meth:`apply`'s cache."""
        if reader is not self.reader:  # not ours: no sharing
            return self.inner.review_file(reader, base_revision, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)
        if isinstance(base_revision, int):
            base = reader.get_historical_resolver(base_revision)
        else:
            base = base_revision
        key = (base.revision, *self._mdp_key(field_mdp_spec, doc_mdp))
        if key in self._reviews:
            return self._reviews[key]
        changed_form_fields: set = set()
        current_max = ModificationLevel.NONE
        outcome = None
        for revision in range(base.revision + 1, reader.xrefs.total_revisions):
            try:
                result = self.apply(base, reader.get_historical_resolver(revision),
                                    field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)
            except SuspiciousModification as exc:
                logger.info("suspicious modification between revisions %d and %d: %s",
                            base.revision, revision, exc)
                outcome = exc
                break
            current_max = max(current_max, result.modification_level)
            changed_form_fields |= result.changed_form_fields
        if outcome is None:
            outcome = DiffResult(current_max, changed_form_fields)
        self._reviews[key] = outcome
        return outcome
