"""Existing public receipt codes and sensor token prefixes into core.GlobalCode (nationwide uniqueness and the code → cooperative lookup)."""

from django.db import migrations


def forwards(apps, schema_editor):
    GlobalCode = apps.get_model("core", "GlobalCode")
    Receipt = apps.get_model("warehouse", "WarehouseReceipt")
    Device = apps.get_model("warehouse", "Device")
    GlobalCode.objects.bulk_create(
        [GlobalCode(kind="resi", code=c, koperasi_id=k, object_id=pk)
         for pk, k, c in Receipt.objects.values_list("pk", "koperasi_id", "public_code").iterator()]
        + [GlobalCode(kind="device", code=c, koperasi_id=k, object_id=pk)
           for pk, k, c in Device.objects.values_list("pk", "koperasi_id", "token_prefix").iterator()],
        batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("core", "GlobalCode").objects.filter(kind__in=["resi", "device"]).delete()


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_initial"), ("core", "0004_global_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
