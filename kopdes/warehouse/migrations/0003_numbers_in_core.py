"""The warehouse counters move to the core numbering service (``core.DocumentCounter``, series
``warehouse.<name>``): copied, then the warehouse counter table goes."""

from django.db import migrations


def copy_counters(apps, schema_editor):
    from kopdes.core.numbering import seed

    Old = apps.get_model("warehouse", "Sequence")
    for kid, name, year, last in Old.objects.values_list("koperasi_id", "name", "year", "last"):
        seed(kid, f"warehouse.{name}", year, last, using=schema_editor.connection)


def copy_back(apps, schema_editor):
    Old = apps.get_model("warehouse", "Sequence")
    DocumentCounter = apps.get_model("core", "DocumentCounter")
    for c in DocumentCounter.objects.filter(series__startswith="warehouse."):
        Old.objects.update_or_create(koperasi_id=c.koperasi_id, name=c.series.split(".", 1)[1], year=c.year,
                                     defaults={"last": c.last})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('warehouse', '0002_global_codes'),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
