"""Core's declarations about personal data, through the same hooks a plugin implements.

Retention: core's rules with the periods of each referential's ``[privacy.retention]``.
Processing activities: core's own, and one per installed certification.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.privacy.declarations import CORE_RULES, ProcessingActivity, with_months

_SECURITY = (
    _l("Mots de passe hachés (Argon2id) ; sessions côté serveur, révocables ; délai d'inactivité"),
    _l("Chaque accès contrôlé par une politique unique, pour l'objet et son organisation"),
    _l("Pièces jointes analysées par un antivirus avant toute lecture par un tiers"),
    _l("Documents déposés et décisions scellés (signature PAdES, horodatage) et conservés non modifiables"),
    _l("Journal d'audit chaîné par empreintes SHA-256 et horodaté"),
    _l("Chiffrement des échanges (HTTPS) ; journaux techniques sans donnée personnelle"),
)


@hookimpl(trylast=True)
def livret_retention_rules(certification):
    return with_months(CORE_RULES, dict(certification.privacy.retention))


def _core_activities() -> list[ProcessingActivity]:
    return [
        ProcessingActivity(
            key="accounts", name=_l("Comptes des utilisateurs"),
            purposes=(_l("Permettre à chacun de se connecter et d'agir selon son rôle"),
                      _l("Sécuriser les comptes (sessions, tentatives de connexion)")),
            legal_basis=_l("Exécution d'une mission ou d'un contrat (RGPD art. 6-1-b) ; intérêt légitime pour la "
                           "sécurité (art. 6-1-f)"),
            data_subjects=(_l("Candidats et candidates"), _l("Membres de jury"), _l("Équipes des certificateurs")),
            categories=(_l("Identité (nom, prénom)"), _l("Adresse électronique"), _l("Langue"),
                        _l("Sessions de connexion : adresse IP, navigateur, dates")),
            recipients=(_l("L'organisation qui délivre la certification"), _l("L'hébergeur de la plateforme")),
            retention=("login_records", "rate_limit_records"), security=_SECURITY),
        ProcessingActivity(
            key="fees", name=_l("Frais de certification"),
            purposes=(_l("Facturer et encaisser les frais de certification, y compris par un tiers payeur"),),
            legal_basis=_l("Obligation légale comptable (RGPD art. 6-1-c ; Code de commerce, art. L123-22)"),
            data_subjects=(_l("Candidats et candidates"), _l("Tiers payeurs (employeurs, financeurs)")),
            categories=(_l("Identité et coordonnées du payeur"), _l("Montant, mode de financement, paiement")),
            recipients=(_l("Le certificateur (comptabilité)"),),
            retention=("fee_records",), security=_SECURITY),
        ProcessingActivity(
            key="audit", name=_l("Journal d'audit"),
            purposes=(_l("Prouver qui a fait quoi et quand sur chaque dossier, décision et document"),),
            legal_basis=_l("Intérêt légitime et obligation de traçabilité du certificateur (RGPD art. 6-1-f)"),
            data_subjects=(_l("Tous les utilisateurs"),),
            categories=(_l("Identifiants numériques des comptes et des objets, actions, dates"),),
            recipients=(_l("L'administration du certificateur et de la plateforme"),),
            retention=("audit_events",), security=_SECURITY),
    ]


def _certification_activity(cert) -> ProcessingActivity:
    contact = cert.privacy.contact or str(cert.extra.get("data_rights_contact") or cert.certifier)
    return ProcessingActivity(
        key=f"certification:{cert.code}",
        name=_l("Candidatures à la certification %(code)s", code=cert.code),
        purposes=(_l("Instruire la candidature : recevabilité, évaluation par le jury, décision"),
                  _l("Délivrer le certificat et prouver le titre obtenu"),
                  _l("Droits d'accès, de rectification et d'effacement : %(contact)s", contact=contact)),
        legal_basis=_l("Mission de certification professionnelle (Code du travail, art. L6113-1 et suivants ; "
                       "RGPD art. 6-1-b et 6-1-e)"),
        data_subjects=(_l("Candidats et candidates"), _l("Membres de jury")),
        categories=(_l("État civil (nom, prénom, date et lieu de naissance, nationalité)"),
                    _l("Coordonnées"), _l("Situation professionnelle et financement"),
                    _l("Expériences, activités décrites et pièces justificatives"),
                    _l("Évaluations, délibérations, décision, signatures")),
        recipients=(_l("Le certificateur %(certifier)s et les centres habilités", certifier=cert.certifier),
                    _l("Le jury de la session (pièces du dossier, grilles)"),
                    _l("Le comité qualité du certificateur (procès-verbaux)"),
                    *cert.privacy.recipients),
        retention=("draft_reminder", "draft", "dossier_after_decision", "inadmissible", "decision_records"),
        security=_SECURITY, certification=cert.code)


@hookimpl(trylast=True)
def livret_processing_activities():
    from core.certifications.services import all_certifications

    return _core_activities() + [_certification_activity(cert) for cert in all_certifications()]
