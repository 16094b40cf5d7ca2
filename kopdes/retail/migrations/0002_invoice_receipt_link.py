"""Invoice ↔ goods receipt through an explicit model that carries ``koperasi`` (issue 13: Citus colocation).

Django cannot add ``through=`` to an existing many-to-many, so: create the link table, copy the rows of the
auto-created table (with the invoice's cooperative), drop the old field, add the field back through the link.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Invoice = apps.get_model("retail", "SupplierInvoice")
    Link = apps.get_model("retail", "SupplierInvoiceReceipt")
    Old = Invoice.receipts.through
    Link.objects.bulk_create(
        [Link(koperasi_id=kid, invoice_id=inv, receipt_id=rec)
         for inv, rec, kid in Old.objects.values_list("supplierinvoice_id", "goodsreceipt_id",
                                                     "supplierinvoice__koperasi_id")],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("retail", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="SupplierInvoiceReceipt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("koperasi", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                               to="core.koperasi", verbose_name="koperasi")),
                ("invoice", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="receipt_links", to="retail.supplierinvoice")),
                ("receipt", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="invoice_links", to="retail.goodsreceipt")),
            ],
            options={"abstract": False},
        ),
        migrations.AddConstraint(
            model_name="supplierinvoicereceipt",
            constraint=models.UniqueConstraint(fields=("koperasi", "invoice", "receipt"),
                                               name="retail_invoice_receipt_unique"),
        ),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
        migrations.RemoveField(model_name="supplierinvoice", name="receipts"),
        migrations.AddField(
            model_name="supplierinvoice",
            name="receipts",
            field=models.ManyToManyField(blank=True, related_name="invoices", through="retail.SupplierInvoiceReceipt",
                                         to="retail.goodsreceipt"),
        ),
    ]
