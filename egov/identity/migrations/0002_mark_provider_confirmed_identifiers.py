"""Existing numbers: only those the identity provider confirmed count as verified.

The new ``*_verified_at`` columns start empty, so every number typed at registration
or on the profile page is now unverified. A number counts as confirmed only where
the account is linked to the provider and the provider's sign-in recorded the field
among the profile's verified fields (``_sync_profile`` did so since the start).
"""

from django.db import migrations


def mark_confirmed(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("identity", "Profile")
    ExternalIdentity = apps.get_model("identity", "ExternalIdentity")
    linked = set(ExternalIdentity.objects.values_list("user_id", flat=True))
    for profile in Profile.objects.filter(user_id__in=linked).select_related("user"):
        user = profile.user
        confirmed_at = profile.verified_at or profile.updated_at
        updates = {}
        for field in ("national_id", "tax_code"):
            if getattr(user, field) and field in (profile.verified_fields or []):
                updates[f"{field}_verified_at"] = confirmed_at
        if updates:
            User.objects.filter(pk=user.pk).update(**updates)


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("accounts", "0005_identifier_verification"),
    ]

    operations = [migrations.RunPython(mark_confirmed, migrations.RunPython.noop)]
