"""Install the default texts of the one-stop forms 01–07 (operators edit them
afterwards; existing rows are never overwritten)."""

from django.db import migrations

from egov.dossiers.form_defaults import ensure_default_form_templates


def install_defaults(apps, schema_editor):
    ensure_default_form_templates(apps.get_model("dossiers", "FormTemplate"))


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_workflow_fields")]

    operations = [migrations.RunPython(install_defaults, migrations.RunPython.noop)]
