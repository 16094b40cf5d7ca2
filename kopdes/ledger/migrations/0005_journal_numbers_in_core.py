"""Journal numbers move to the core numbering service (``core.DocumentCounter``, series ``ledger.JU``): the
counters are copied, then the ledger's own counter table goes."""

from django.db import migrations


def copy_counters(apps, schema_editor):
    from kopdes.core.numbering import seed

    JournalCounter = apps.get_model("ledger", "JournalCounter")
    for kid, year, last in JournalCounter.objects.values_list("koperasi_id", "year", "last_number"):
        seed(kid, "ledger.JU", year, last, using=schema_editor.connection)


def copy_back(apps, schema_editor):
    JournalCounter = apps.get_model("ledger", "JournalCounter")
    DocumentCounter = apps.get_model("core", "DocumentCounter")
    for c in DocumentCounter.objects.filter(series="ledger.JU"):
        JournalCounter.objects.update_or_create(koperasi_id=c.koperasi_id, year=c.year,
                                                defaults={"last_number": c.last})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('ledger', '0004_sqlite_delete_guard'),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(
            name='JournalCounter',
        ),
    ]
