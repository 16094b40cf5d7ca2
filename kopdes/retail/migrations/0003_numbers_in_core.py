"""The retail counters move to the core numbering service (``core.DocumentCounter``, series
``retail.<prefix>``): copied, then the retail counter table goes."""

from django.db import migrations


def copy_counters(apps, schema_editor):
    from kopdes.core.numbering import seed

    Old = apps.get_model("retail", "Sequence")
    for kid, name, year, last in Old.objects.values_list("koperasi_id", "prefix", "year", "last"):
        seed(kid, f"retail.{name}", year, last, using=schema_editor.connection)


def copy_back(apps, schema_editor):
    Old = apps.get_model("retail", "Sequence")
    DocumentCounter = apps.get_model("core", "DocumentCounter")
    for c in DocumentCounter.objects.filter(series__startswith="retail."):
        Old.objects.update_or_create(koperasi_id=c.koperasi_id, prefix=c.series.split(".", 1)[1], year=c.year,
                                     defaults={"last": c.last})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('retail', '0002_invoice_receipt_link'),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
