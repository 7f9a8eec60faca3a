from django.db import migrations, models


def keep_latest_row_per_place(apps, schema_editor):
    """Rows piled up one per connection: keep each person's latest per place."""
    BoardPresence = apps.get_model("api", "BoardPresence")
    seen: set[tuple[int, int | None]] = set()
    stale: list[int] = []
    rows = BoardPresence.objects.order_by("user_id", "task_id", "-last_seen_at", "-pk")
    for pk, user_id, task_id in rows.values_list("pk", "user_id", "task_id").iterator():
        if (user_id, task_id) in seen:
            stale.append(pk)
        else:
            seen.add((user_id, task_id))
    for start in range(0, len(stale), 1000):
        BoardPresence.objects.filter(pk__in=stale[start : start + 1000]).delete()


class Migration(migrations.Migration):
    dependencies = [("api", "0007_overtime_day_terms")]

    operations = [
        migrations.RunPython(keep_latest_row_per_place, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="boardpresence",
            constraint=models.UniqueConstraint(
                fields=("user", "task"), nulls_distinct=False, name="presence_one_per_place"
            ),
        ),
    ]
