"""The pharmacy counters move to the core numbering service (``core.DocumentCounter``, series
``pharmacy.<series>``): copied, then the pharmacy counter table goes."""

from django.db import migrations


def copy_counters(apps, schema_editor):
    from kopdes.core.numbering import seed

    Old = apps.get_model("pharmacy", "Counter")
    for kid, name, year, last in Old.objects.values_list("koperasi_id", "series", "year", "last"):
        seed(kid, f"pharmacy.{name}", year, last, using=schema_editor.connection)


def copy_back(apps, schema_editor):
    Old = apps.get_model("pharmacy", "Counter")
    DocumentCounter = apps.get_model("core", "DocumentCounter")
    for c in DocumentCounter.objects.filter(series__startswith="pharmacy."):
        Old.objects.update_or_create(koperasi_id=c.koperasi_id, series=c.series.split(".", 1)[1], year=c.year,
                                     defaults={"last": c.last})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('pharmacy', '0002_dispense_pack'),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(
            name='Counter',
        ),
    ]
