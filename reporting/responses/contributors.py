"""Contributors: people a focal point invites to answer some sections of their
country's questionnaire (a health ministry for treatment, the police for
seizures…). The focal point keeps everything else: editing every section and
submitting. Permissions themselves live in ``accounts.access`` and
``submissions.require_editable``; this module manages who is assigned what.
"""
from sqlalchemy import delete, select

from reporting import audit
from reporting.accounts.services import AccountError, create_user, issue_account_link, normalise_email, set_active
from reporting.extensions import db
from reporting.models import AccountLinkPurpose, Role, SectionAssignment, Submission, User
from reporting.notifications import services as notify
from reporting.responses.submissions import NotAllowed, sections_for


def require_focal_point(user: User, submission: Submission) -> None:
    if user.role_enum is not Role.FOCAL_POINT or user.country_id != submission.country_id:
        raise NotAllowed("Only the national focal point of this country manages its contributors.")


def contributors_of(submission: Submission) -> list[tuple[User, set[str]]]:
    users = db.session.scalars(
        select(User).where(User.role == Role.CONTRIBUTOR.value, User.country_id == submission.country_id).order_by(User.email)
    ).all()
    assigned: dict[int, set[str]] = {user.id: set() for user in users}
    for user_id, key in db.session.execute(
        select(SectionAssignment.user_id, SectionAssignment.section_key).where(SectionAssignment.user_id.in_(list(assigned)))
    ):
        assigned[user_id].add(key)
    return [(user, assigned[user.id]) for user in users]


def _checked_sections(submission: Submission, section_keys) -> list[str]:
    known = {section.key for section in sections_for(submission)}
    unknown = sorted(set(section_keys) - known)
    if unknown:
        raise AccountError(f"sections: {', '.join(unknown)} is not a section of this questionnaire")
    return sorted(set(section_keys))


def assign_sections(focal_point: User, submission: Submission, contributor: User, section_keys) -> None:
    """Replace the sections ``contributor`` may edit."""
    require_focal_point(focal_point, submission)
    if contributor.role_enum is not Role.CONTRIBUTOR or contributor.country_id != submission.country_id:
        raise NotAllowed("This person is not a contributor of this country.")
    keys = _checked_sections(submission, section_keys)
    old = sorted(db.session.scalars(select(SectionAssignment.section_key).where(SectionAssignment.user_id == contributor.id)))
    if old == keys:
        return
    db.session.execute(delete(SectionAssignment).where(SectionAssignment.user_id == contributor.id))
    db.session.add_all(SectionAssignment(user_id=contributor.id, section_key=key, assigned_by_id=focal_point.id) for key in keys)
    audit.record("contributor.sections", "user", contributor.id, country_id=submission.country_id, old=old, new=keys)


def set_contributor_active(focal_point: User, submission: Submission, contributor: User, active: bool) -> bool:
    """A focal point withdraws (or restores) a contributor's access, as an admin could."""
    require_focal_point(focal_point, submission)
    if contributor.role_enum is not Role.CONTRIBUTOR or contributor.country_id != submission.country_id:
        raise NotAllowed("This person is not a contributor of this country.")
    return set_active(contributor, active, by=focal_point)


def invite_contributor(
    focal_point: User, submission: Submission, email: str, name: str | None, section_keys, language: str,
) -> User:
    """Create the contributor (without a password), assign their sections and e-mail
    them a one-time link, valid ``INVITATION_VALID_DAYS``, to choose their password.
    Inviting again someone who has not accepted yet sends a fresh link and
    invalidates the old one."""
    require_focal_point(focal_point, submission)
    keys = _checked_sections(submission, section_keys)
    if not keys:
        raise AccountError("sections: choose at least one section for the contributor")
    existing = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if existing is None:
        user = create_user(email, None, Role.CONTRIBUTOR.value, submission.country.iso3, name=name)
        user.locale = language
    elif existing.role_enum is Role.CONTRIBUTOR and existing.country_id == submission.country_id and not existing.has_password:
        user = existing
    else:
        raise AccountError(f"email {existing.email} already has an account: an administrator can change it")
    assign_sections(focal_point, submission, user, keys)
    token, link = issue_account_link(user, AccountLinkPurpose.INVITATION, created_by=focal_point)
    titles = [section.title for section in sections_for(submission) if section.key in keys]
    notify.invitation(user, token, focal_point, titles, link.expires_at)
    return user
