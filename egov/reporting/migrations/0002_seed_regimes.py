"""The regimes the platform starts with (``reporting.seed``; ``seeds`` puts them
back after a flush)."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    from egov.reporting.seed import seed_regimes

    seed_regimes(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
