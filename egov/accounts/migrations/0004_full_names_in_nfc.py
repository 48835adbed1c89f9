"""Names saved before input was normalised may be in NFD; searches now arrive in NFC."""

import unicodedata

from django.db import migrations


def to_nfc(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "full_name").iterator():
        normalised = unicodedata.normalize("NFC", user.full_name)
        if normalised != user.full_name:
            User.objects.filter(pk=user.pk).update(full_name=normalised)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_seed_roles")]

    operations = [migrations.RunPython(to_nfc, migrations.RunPython.noop)]
