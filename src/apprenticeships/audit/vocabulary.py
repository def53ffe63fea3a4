"""What the audit log records. Values are what is stored; labels are what people read."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    KEY_ISSUED = "key_issued"
    KEY_ROTATED = "key_rotated"
    KEY_DELETED = "key_deleted"
    # A rotated key's grace period cut short ("Stop now").
    KEY_STOPPED_EARLY = "key_stopped_early"
    SIGN_IN = "sign_in"
    FAILED_SIGN_IN = "failed_sign_in"
    LOCKOUT = "lockout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (the name of an event)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    INVITATION_SENT = "invitation_sent"
    ROLE_CHANGED = "role_changed"
    PERSON_REMOVED = "person_removed"
    ACCOUNT_DELETED = "account_deleted"
    PERMISSION_GRANTED = "permission_granted"
    PERMISSION_CHANGED = "permission_changed"
    PERMISSION_REVOKED = "permission_revoked"
    ADVERT_APPROVED = "advert_approved"
    ADVERT_REJECTED = "advert_rejected"
    ADVERT_CLOSED = "advert_closed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AuditAction.KEY_ISSUED: "Key issued",
    AuditAction.KEY_ROTATED: "Key rotated",
    AuditAction.KEY_DELETED: "Key deleted",
    AuditAction.KEY_STOPPED_EARLY: "Old key stopped early",
    AuditAction.SIGN_IN: "Signed in",
    AuditAction.FAILED_SIGN_IN: "Failed sign-in",
    AuditAction.LOCKOUT: "Sign-in locked",
    AuditAction.PASSWORD_CHANGED: "Password changed",
    AuditAction.PASSWORD_RESET: "Password reset",
    AuditAction.INVITATION_SENT: "Invitation sent",
    AuditAction.ROLE_CHANGED: "Role changed",
    AuditAction.PERSON_REMOVED: "Person removed",
    AuditAction.ACCOUNT_DELETED: "Account deleted",
    AuditAction.PERMISSION_GRANTED: "Provider permission granted",
    AuditAction.PERMISSION_CHANGED: "Provider permission changed",
    AuditAction.PERMISSION_REVOKED: "Provider permission removed",
    AuditAction.ADVERT_APPROVED: "Advert approved",
    AuditAction.ADVERT_REJECTED: "Advert rejected",
    AuditAction.ADVERT_CLOSED: "Advert closed",
}
