"""The warehouse counters move to the core numbering service (``core.DocumentCounter``, series
``warehouse.<name>``): copied, then the warehouse counter table goes."""

from django.db import migrations

from kopdes.core.numbering import move_counter_table


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('warehouse', '0002_global_codes'),
    ]

    operations = [
        move_counter_table("warehouse", "Sequence", "name"),
        migrations.DeleteModel(
            name='Sequence',
        ),
    ]
