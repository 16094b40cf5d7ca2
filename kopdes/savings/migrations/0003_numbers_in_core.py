"""Receipt numbers (``BS-<year>-<n>``) come from the core numbering service (series ``savings.BS``): seeded with
each cooperative's highest number per year so far."""

from django.db import migrations


def seed(apps, schema_editor):
    from kopdes.core.numbering import seed_from_numbers

    Receipt = apps.get_model("savings", "Receipt")
    seed_from_numbers(Receipt.objects.values_list("koperasi_id", "number").iterator(), "savings.BS",
                      pattern=r"BS-(?P<year>\d{4})-(?P<n>\d+)", using=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('savings', '0002_shu_tx_type'),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
