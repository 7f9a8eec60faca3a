from django.contrib.auth.backends import ModelBackend

from api.accounts.permissions import user_can
from api.accounts.roles import DJANGO_ACTIONS, MODEL_RESOURCES, Role


class RolePermissionBackend(ModelBackend):
    """Password authentication as usual; model permissions from the role matrix.

    The Django admin asks for "api.change_overtimerequest"; answering from the same
    matrix (and overrides) as the API keeps the two from disagreeing. Groups and
    per-user Django permissions are not used.
    """

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not user_obj.is_active or not user_obj.is_authenticated:
            return False
        app_label, _, codename = perm.partition(".")
        django_action, _, model_name = codename.partition("_")
        resource = MODEL_RESOURCES.get(model_name)
        action = DJANGO_ACTIONS.get(django_action)
        if app_label == "api" and resource and action:
            return user_can(user_obj, resource, action)
        # Framework internals (token blacklist, sessions, content types): developers only.
        return user_obj.role == Role.DEVELOPER

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return bool(user_obj.is_active and user_obj.is_staff)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()  # has_perm answers directly; no Permission rows are consulted
