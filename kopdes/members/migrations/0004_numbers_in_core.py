"""Member numbers come from the core numbering service (series ``members.AGT``, never restarting): seeded with
each cooperative's highest number so far."""

from django.db import migrations
from django.db.models import Max


def seed(apps, schema_editor):
    from kopdes.core.numbering import seed as seed_counter

    Member = apps.get_model("members", "Member")
    for row in Member.objects.values("koperasi_id").annotate(top=Max("seq")).order_by():
        seed_counter(row["koperasi_id"], "members.AGT", 0, row["top"] or 0, using=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_document_counter'),
        ('members', '0003_token_covering_index'),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
