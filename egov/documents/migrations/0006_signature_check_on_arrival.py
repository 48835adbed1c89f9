"""The check of the digital signatures of an incoming document's PDFs on arrival.

On SQLite, adding these columns rebuilds the table, which drops the triggers that
keep the full-text table (0002) in step: they are made again afterwards."""

import importlib

from django.db import migrations, models


def sqlite_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    index = importlib.import_module("egov.documents.migrations.0002_types_and_search_index")
    for sql in index.SQLITE_UP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_notice_about_other_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="incomingdocument",
            name="signature_checked_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="signatures checked at"
            ),
        ),
        migrations.AddField(
            model_name="incomingdocument",
            name="signature_reasons",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="incomingdocument",
            name="signature_reports",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="incomingdocument",
            name="signature_signers",
            field=models.CharField(blank=True, max_length=500, verbose_name="signed by"),
        ),
        migrations.AddField(
            model_name="incomingdocument",
            name="signature_status",
            field=models.CharField(
                choices=[
                    ("none", "No PDF to check"),
                    ("pending", "Checking the digital signatures"),
                    ("valid", "Valid digital signature"),
                    ("invalid", "Digital signature not valid"),
                    ("unsigned", "Not digitally signed"),
                    ("failed", "The signatures could not be checked"),
                ],
                default="none",
                max_length=10,
                verbose_name="digital signature",
            ),
        ),
        migrations.RunPython(sqlite_search_triggers, migrations.RunPython.noop),
    ]
