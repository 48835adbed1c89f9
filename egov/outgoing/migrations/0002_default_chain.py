"""The province-wide default approval chain (head of the drafting division, then
the agency's leader who signs). Data: an operator may change it; this only creates
it when missing (``outgoing.chains.ensure_default_chain`` does the same after a
flush)."""

from django.db import migrations


def create_default_chain(apps, schema_editor):
    chain_model = apps.get_model("outgoing", "ApprovalChain")
    step_model = apps.get_model("outgoing", "ApprovalStep")
    if chain_model.objects.filter(agency__isnull=True, type_code="").exists():
        return
    chain = chain_model.objects.create(
        name="Trình ký mặc định: lãnh đạo phòng → lãnh đạo cơ quan"
    )
    step_model.objects.create(
        chain=chain,
        position=1,
        name="Lãnh đạo phòng xem xét",
        role_code="unit_head",
        scope="drafting_unit",
    )
    step_model.objects.create(
        chain=chain,
        position=2,
        name="Lãnh đạo cơ quan duyệt ký",
        role_code="agency_leader",
        scope="agency",
        signs=True,
    )


class Migration(migrations.Migration):
    dependencies = [("outgoing", "0001_initial")]

    operations = [migrations.RunPython(create_default_chain, migrations.RunPython.noop)]
