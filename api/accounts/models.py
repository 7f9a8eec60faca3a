import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q

from api.accounts.roles import Action, Resource, Role, is_global_role, role_level
from api.common.models import TimestampedModel


class RoleAwareUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` makes someone who can do everything: the developer role.
        extra_fields.setdefault("role", Role.DEVELOPER)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in, locally or through the company SSO.

    The role is a column rather than a group membership so that every request can
    check it without another query; per-resource exceptions are
    `UserPermissionOverride` rows.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER, db_index=True)

    objects = RoleAwareUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ("username",)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_level(self) -> int:
        return role_level(self.role)

    @property
    def is_global_admin(self) -> bool:
        """Superadmins and developers see every department."""
        return is_global_role(self.role)


class AuthSource(models.TextChoices):
    LOCAL = "local", "Local password"
    EXTERNAL = "external", "External SSO"


class ExternalUser(TimestampedModel):
    """An identity from the company SSO, linked to exactly one Django user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identity"
    )
    external_id = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=150, db_index=True)
    employee = models.ForeignKey(
        "api.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="external_identities",
    )
    raw_claims = models.JSONField(default=dict, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("username",)
        constraints = [
            models.CheckConstraint(
                condition=~Q(external_id=""), name="externaluser_external_id_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.external_id})"


class UserSession(TimestampedModel):
    """One login: survives refresh-token rotation (the `sid` claim), ends at logout."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # jti of the current refresh token (local) or of the SSO token (external).
    token_jti = models.CharField(max_length=255, blank=True, db_index=True)
    auth_source = models.CharField(max_length=16, choices=AuthSource.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    login_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    logout_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-login_at",)
        indexes = [models.Index(fields=["user", "logout_at"], name="session_user_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(logout_at__isnull=True) | Q(logout_at__gte=F("login_at")),
                name="usersession_logout_after_login",
            ),
            models.CheckConstraint(
                condition=Q(last_activity_at__gte=F("login_at")),
                name="usersession_activity_after_login",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.logout_at is None else "closed"
        return f"{self.user} via {self.auth_source} at {self.login_at:%Y-%m-%d %H:%M} ({state})"

    @property
    def is_open(self) -> bool:
        return self.logout_at is None


class UserPermissionOverride(TimestampedModel):
    """Grants (allowed=True) or revokes one action on one resource for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="permission_overrides"
    )
    resource = models.CharField(max_length=32, choices=Resource.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    allowed = models.BooleanField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("user", "resource", "action")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource", "action"], name="override_unique_user_resource_action"
            ),
        ]

    def __str__(self) -> str:
        verb = "grant" if self.allowed else "revoke"
        return f"{verb} {self.action} on {self.resource} for {self.user}"
