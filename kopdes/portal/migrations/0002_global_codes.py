"""Existing activation codes into core.GlobalCode (nationwide uniqueness and the code → cooperative lookup)."""

from django.db import migrations


def forwards(apps, schema_editor):
    GlobalCode = apps.get_model("core", "GlobalCode")
    Code = apps.get_model("portal", "ActivationCode")
    GlobalCode.objects.bulk_create(
        [GlobalCode(kind="activation", code=c, koperasi_id=k, object_id=pk)
         for pk, k, c in Code.objects.values_list("pk", "koperasi_id", "code_hash").iterator()],
        batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("core", "GlobalCode").objects.filter(kind="activation").delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("core", "0004_global_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
