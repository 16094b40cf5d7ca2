"""The logistics counters move to the core numbering service (``core.DocumentCounter``, series
``logistics.<name>``): copied, then the logistics counter table goes."""

from django.db import migrations


def copy_counters(apps, schema_editor):
    from kopdes.core.numbering import seed

    Old = apps.get_model("logistics", "Sequence")
    for kid, name, year, last in Old.objects.values_list("koperasi_id", "name", "year", "last"):
        seed(kid, f"logistics.{name}", year, last, using=schema_editor.connection)


def copy_back(apps, schema_editor):
    Old = apps.get_model("logistics", "Sequence")
    DocumentCounter = apps.get_model("core", "DocumentCounter")
    for c in DocumentCounter.objects.filter(series__startswith="logistics."):
        Old.objects.update_or_create(koperasi_id=c.koperasi_id, name=c.series.split(".", 1)[1], year=c.year,
                                     defaults={"last": c.last})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('logistics', '0002_delivery_stock_transfer'),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
