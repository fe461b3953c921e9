"""Import every model so that SQLAlchemy and Alembic see the whole schema."""
from core.api.models import ApiToken  # noqa: F401
from core.audit.models import AuditCheckpoint, AuditEvent  # noqa: F401
from core.backoffice import models as _backoffice_indexes  # noqa: F401 - search indexes on users
from core.auth.models import LoginSession, Organisation, OrganisationCertification, Role, User  # noqa: F401
from core.dossiers.models import Annex, AnnexCompetency, Document, Dossier, DossierVersion, SectionDraft  # noqa: F401
from core.fees.models import FeeInvoiceCounter, FeeRequest  # noqa: F401
from core.review.models import StaffNote  # noqa: F401
from core.sealing.models import DocumentHash  # noqa: F401
from core.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
from core.jury.models import (EvaluationGrid, JurorDeclaration, JuryDecision, JurySession, SessionCandidate,  # noqa: F401
                               SessionJuror, SignedDocument)
from core.organisations.models import OrganisationSeal, OrganisationSigningSettings  # noqa: F401
from core.privacy.models import PrivacyRequest, RetentionSetting  # noqa: F401
