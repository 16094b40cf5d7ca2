"""The logistics counters move to the core numbering service (``core.DocumentCounter``, series
``logistics.<name>``): copied, then the logistics counter table goes."""

from django.db import migrations

from kopdes.core.numbering import move_counter_table


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('logistics', '0002_delivery_stock_transfer'),
    ]

    operations = [
        move_counter_table("logistics", "Sequence", "name"),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
