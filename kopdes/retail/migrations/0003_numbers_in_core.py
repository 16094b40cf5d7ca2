"""The retail counters move to the core numbering service (``core.DocumentCounter``, series
``retail.<prefix>``): copied, then the retail counter table goes."""

from django.db import migrations

from kopdes.core.numbering import move_counter_table


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('retail', '0002_invoice_receipt_link'),
    ]

    operations = [
        move_counter_table("retail", "Sequence", "prefix"),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
