"""Give the leaders' standard roles the new ``documents.assign`` permission (issue 10:
leaders assign incoming documents). Roles are data an operator may have changed:
only the standard codes are touched, and only by adding the missing code."""

from django.db import migrations

GRANTS = {
    "unit_head": "documents.assign",
    "agency_leader": "documents.assign",
    "platform_operator": "documents.assign",
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, perm in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None and perm not in (role.permissions or []):
            role.permissions = [*(role.permissions or []), perm]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_identifier_verification"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
