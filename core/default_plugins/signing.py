"""Who issues the personal signing certificates: the development PKI, or the production CA (signing.person_ca)."""
from __future__ import annotations

from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def livret_person_signer(user, config, days):
    authority = config.person_authority()
    if authority is not None:  # production: the configured CA (SIGNING_PERSON_CA_*)
        return authority.issue_person_certificate(user.full_name, user.email, days=days)
    if config.dev_pki:
        return config.dev().issue_person_certificate(user.full_name, user.email, days=days)
    return None
