"""Document counters (core numbering service) and named per-cooperative lock rows (core.locks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_global_codes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('series', models.CharField(max_length=30)),
                ('year', models.PositiveIntegerField(default=0)),
                ('last', models.PositiveBigIntegerField(default=0)),
                ('koperasi', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.koperasi', verbose_name='koperasi')),
            ],
            options={
                'verbose_name': 'penghitung nomor dokumen',
                'verbose_name_plural': 'penghitung nomor dokumen',
                'constraints': [models.UniqueConstraint(fields=('koperasi', 'series', 'year'), name='core_counter_unique')],
            },
        ),
        migrations.CreateModel(
            name='TenantLock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('koperasi', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.koperasi', verbose_name='koperasi')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('koperasi', 'name'), name='core_tenantlock_unique')],
            },
        ),
    ]
