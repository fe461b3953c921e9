"""Every page action and its API counterpart.

A page action is an HTML endpoint that accepts ``POST`` (a form a person
submits). The API must offer the same action: :data:`PAGE_ACTIONS` names, for
each, the API endpoint(s) that do it. ``tests/api/test_api_parity.py`` fails
on a page action missing here, on an API endpoint named here that does not
exist, and on an exemption without its reason.

:data:`PAGE_READS` does the same for the pages that *show* something an API
client needs (a candidate's result, the staff exports, the figures).

An :class:`Exempt` entry is not an API gap: the page action is itself a
machine endpoint, or the API has no use for it; its reason says which.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exempt:
    reason: str


PAGE_ACTIONS: dict[str, tuple[str, ...] | Exempt] = {
    # -- accounts and tokens ----------------------------------------------------------------------
    "auth.register": ("auth_api.create_account",),
    "auth.resend_verification": ("auth_api.resend_verification",),
    "auth.login": ("api.create_token",),  # an API client signs in by creating a token with its password
    "auth.logout": ("api.revoke_current_token",),
    "auth.forgot_password": ("auth_api.forgot_password",),
    "auth.reset_password": ("auth_api.reset_password",),
    "auth.change_password": ("auth_api.change_password",),
    "auth.create_token": ("api.create_token",),
    "auth.revoke_token": ("api.revoke_token",),
    "auth.revoke_other_sessions": ("auth_api.revoke_sessions",),
    "i18n.set_language": ("api.update_me",),
    "auth.update_profile": ("api.update_me",),
    # -- the person's own data (RGPD rights) --------------------------------------------------------
    "privacy.export": ("privacy_api.export_me",),
    "privacy.rectification": ("privacy_api.create_my_request",),
    "privacy.erase": ("privacy_api.erase_me",),
    # -- the candidate's dossier ------------------------------------------------------------------
    "dossiers.create": ("dossiers_api.create_dossier",),
    "dossiers.section": ("dossiers_api.save_section",),
    "dossiers.submit": ("dossiers_api.submit",),
    "annexes.upload": ("annexes_api.upload",),
    "annexes.edit": ("annexes_api.update",),
    "annexes.remove": ("annexes_api.remove",),
    "annexes.deliverable_upload": ("annexes_api.deliverable_upload",),
    # -- fees ---------------------------------------------------------------------------------------
    "fees.start_payment": ("fees_api.start_payment",),
    "fees.payer_email": ("fees_api.send_payer_link",),
    "fees.payer": ("fees_api.payer_fee", "fees_api.payer_purchase_order"),  # GET shows, POST a purchase order
    "fees.payer_start_payment": ("fees_api.payer_start_payment",),
    "fees.record_payment": ("fees_api.post_payment",),
    "fees.waive": ("fees_api.waive",),
    "fees.statement": ("fees_api.import_statement",),
    "fees.provider_notification": Exempt("the payment provider's server-to-server notification: not a page a "
                                         "person submits, already a machine endpoint"),
    # -- the certifier's organisation ---------------------------------------------------------------
    "organisations.update_details": ("organisations_api.update_details",),
    "organisations.update_certifications": ("organisations_api.update_certifications",),
    "organisations.request_certification": ("organisations_api.request_certification",),
    "organisations.invite": ("organisations_api.invite_member",),
    "organisations.deactivate": ("organisations_api.deactivate_member",),
    "organisations.upload_seal": ("organisations_api.upload_seal",),
    "organisations.remove_seal": ("organisations_api.remove_seal",),
    "organisations.update_tsa": ("organisations_api.update_tsa",),
    "privacy.update_retention": ("privacy_api.update_retention",),  # one PUT per period of the form
    "privacy.create_request": ("privacy_api.create_request",),
    "privacy.handle_request": ("privacy_api.update_request",),
    "platform.grant": ("platform_api.grant",),
    "platform.withdraw": ("platform_api.withdraw",),
    # -- admissibility ------------------------------------------------------------------------------
    "review.add_note": ("review_api.add_note",),
    "review.decision": ("review_api.decision",),
    # -- jury sessions ------------------------------------------------------------------------------
    "sessions.create": ("sessions_api.create_session",),
    "sessions.edit": ("sessions_api.update_session",),
    "sessions.add_candidate": ("sessions_api.add_candidate",),
    "sessions.remove_candidate": ("sessions_api.remove_candidate",),
    "sessions.move_up": ("sessions_api.update_candidate",),  # ``position``
    "sessions.move_down": ("sessions_api.update_candidate",),
    "sessions.slot": ("sessions_api.update_candidate",),  # ``starts_at``
    "sessions.add_juror": ("sessions_api.add_juror",),
    "sessions.edit_juror": ("sessions_api.update_juror",),
    "sessions.remove_juror": ("sessions_api.remove_juror",),
    "sessions.schedule": ("sessions_api.put_schedule",),
    "sessions.reset_schedule": ("sessions_api.reset_schedule",),
    "sessions.declarations": ("sessions_api.put_declarations",),
    "sessions.open_": ("sessions_api.open_session",),
    "sessions.attendance": ("sessions_api.put_attendance",),
    "sessions.observations": ("sessions_api.put_observations",),
    # -- evaluation, deliberation, PV ---------------------------------------------------------------
    "evaluation.save_grid": ("evaluation_api.save_grid", "evaluation_api.complete_grid"),
    "evaluation.reopen_grid": ("evaluation_api.reopen_grid",),
    "deliberation.record": ("deliberation_api.record_decision",),
    # the page's button records the decision « absent » (deliberation.services.record_absence): the API records
    # it with ``outcome: "absent"``; the attendance itself is put with sessions_api.put_attendance
    "deliberation.absence": ("deliberation_api.record_decision",),
    "pv.generate": ("pv_api.generate",),
    "pv.sign_all": ("pv_api.sign_all",),
    "pv.correction": ("pv_api.correction",),
    "pv.resend_committee": ("pv_api.resend_committee",),
    "pv.retry_sealing": ("pv_api.retry_sealing",),
    # -- public -------------------------------------------------------------------------------------
    "verify.page": ("verify_api.verify_api",),
}

# Pages that show what an API client needs to read, and the API endpoint(s) that return it.
PAGE_READS: dict[str, tuple[str, ...]] = {
    "auth.verify_email": ("auth_api.verify_email",),  # following the e-mailed link confirms the address
    "dossiers.overview": ("dossiers_api.dossier", "dossiers_api.result"),
    "annexes.deliverables_page": ("dossiers_api.dossier",),  # its ``deliverables``
    "dossiers.document": ("documents_api.document_content",),
    "fees.dossier_fee": ("fees_api.get_fee",),
    "backoffice.dossiers": ("backoffice_api.dossiers",),
    "backoffice.export_csv": ("backoffice_api.export",),
    "backoffice.export_xlsx": ("backoffice_api.export",),
    "organisations.settings": ("organisations_api.organisation", "organisations_api.certifications",
                               "organisations_api.members"),
    "organisations.figures": ("organisations_api.figures",),
    "privacy.retention": ("privacy_api.retention",),
    "privacy.register": ("privacy_api.requests",),
    "privacy.rectification": ("privacy_api.my_requests",),  # the person's requests, below the form
    "privacy.erase": ("privacy_api.erasure_plan",),  # what is erased and kept, before confirming
    "privacy.request": ("privacy_api.request",),
    "privacy.notice": ("privacy_api.certification_privacy",),
    "review.review": ("dossiers_api.dossier", "review_api.notes", "review_api.versions_diff"),
    "sessions.show": ("sessions_api.get_session",),
    "pv.overview": ("pv_api.pv_list",),
    "pv.draft": ("pv_api.pv_draft",),
    "pv.sealing_progress": ("pv_api.sealing_progress",),
    "dossiers.sealing_progress": ("dossiers_api.sealing_progress",),
    "pv.download": ("documents_api.document_content", "pv_api.document_content"),
    "evaluation.grid": ("evaluation_api.grid",),
    "evaluation.dossier": ("evaluation_api.dossier",),
    "deliberation.candidate": ("deliberation_api.deliberation",),
    "platform.organisations": ("platform_api.organisations",),
}
