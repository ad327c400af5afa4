"""Everything the application stores, one module per domain step.

Importing this package registers every table on ``Base.metadata`` so that
Alembic autogenerate and the schema test see the whole schema.
"""
from reporting.models.base import Base
from reporting.models.countries import Country
from reporting.models.accounts import AccountLink, AccountLinkPurpose, ApiToken, Role, SectionAssignment, User
from reporting.models.questionnaire import SpecVersion
from reporting.models.cycles import Cycle, CycleState
from reporting.models.submissions import Answer, MeasureExample, PendingSave, ReviewComment, SectionReady, Submission, SubmissionState
from reporting.models.notifications import MessageStatus, OutboxMessage, ReminderSent
from reporting.models.documents import Document
from reporting.models.audit import AuditEvent
from reporting.models.reports import BuildState, ReportBuild, ReportFile

__all__ = [
    "AccountLink",
    "AccountLinkPurpose",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "Base",
    "BuildState",
    "Country",
    "MessageStatus",
    "OutboxMessage",
    "PendingSave",
    "ReminderSent",
    "Cycle",
    "CycleState",
    "Document",
    "MeasureExample",
    "ReportBuild",
    "ReportFile",
    "ReviewComment",
    "Role",
    "SectionAssignment",
    "SectionReady",
    "SpecVersion",
    "Submission",
    "SubmissionState",
    "User",
]
