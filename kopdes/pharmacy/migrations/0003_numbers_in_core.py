"""The pharmacy counters move to the core numbering service (``core.DocumentCounter``, series
``pharmacy.<series>``): copied, then the pharmacy counter table goes."""

from django.db import migrations

from kopdes.core.numbering import move_counter_table


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('pharmacy', '0002_dispense_pack'),
    ]

    operations = [
        move_counter_table("pharmacy", "Counter", "series"),
        migrations.DeleteModel(
            name='Counter',
        ),
    ]
