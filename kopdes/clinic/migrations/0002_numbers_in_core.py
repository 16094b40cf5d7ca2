"""The clinic counters move to the core numbering service (``core.DocumentCounter``, series
``clinic.<series>``): copied, then the clinic counter table goes."""

from django.db import migrations

from kopdes.core.numbering import move_counter_table


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('clinic', '0001_initial'),
    ]

    operations = [
        move_counter_table("clinic", "Counter", "series"),
        migrations.DeleteModel(
            name='Counter',
        ),
    ]
