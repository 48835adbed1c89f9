"""Seed the standard staff roles. Roles are data: an operator may change their
names and permissions afterwards, so existing rows are never overwritten."""

from django.db import migrations

from egov.accounts.default_roles import ensure_default_roles

def seed_roles(apps, schema_editor):
    ensure_default_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]
