"""The Vietnamese notification templates shipped with the platform."""

from django.db import migrations


def create(apps, schema_editor):
    from egov.notifications.defaults import ensure_default_templates

    ensure_default_templates(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
