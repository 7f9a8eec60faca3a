"""Who may receive an event of a shared stream, decided per socket without a query."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Audience:
    """Everyone (the default), or global admins plus: members of `department_ids`, and
    the listed `user_ids` (creator, assignees). `None` in department_ids means a
    company-wide card, visible to everyone.
    """

    everyone: bool = True
    department_ids: tuple[int | None, ...] = ()
    user_ids: tuple[int, ...] = ()

    def admits(self, *, user_id: int, department_id: int | None, is_global: bool) -> bool:
        if self.everyone or is_global:
            return True
        if None in self.department_ids:
            return True
        return (department_id is not None and department_id in self.department_ids) or (
            user_id in self.user_ids
        )

    def to_dict(self) -> dict | None:
        """None for everyone: what the log and the wire store for the common case."""
        return None if self == EVERYONE else asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Audience:
        if not data:
            return EVERYONE
        return cls(
            everyone=data.get("everyone", True),
            department_ids=tuple(data.get("department_ids", ())),
            user_ids=tuple(data.get("user_ids", ())),
        )


EVERYONE = Audience()
