"""Loan and repayment numbers (``PJ-<year>-<n>``, ``BYR-<year>-<n>``) come from the core numbering service
(series ``loans.PJ``, ``loans.BYR``; before, "highest + 1" without a lock): seeded with each cooperative's highest
number per year so far."""

from django.db import migrations


def seed(apps, schema_editor):
    from kopdes.core.numbering import seed_from_numbers

    for model, prefix in (("Loan", "PJ"), ("Repayment", "BYR")):
        rows = apps.get_model("loans", model).objects.values_list("koperasi_id", "number").iterator()
        seed_from_numbers(rows, f"loans.{prefix}", pattern=rf"{prefix}-(?P<year>\d{{4}})-(?P<n>\d+)",
                          using=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('loans', '0003_interest_accrual'),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
