"""Beacon hits become one row per (story, page, day) with a count."""

import hashlib

import django.utils.timezone
from django.db import migrations, models


def merge_hits(apps, schema_editor):
    BeaconHit = apps.get_model("distribution", "BeaconHit")
    seen = {}
    for hit in BeaconHit.objects.order_by("at", "pk").iterator():
        day = django.utils.timezone.localdate(hit.at)
        key = hashlib.sha1(hit.page_url.encode(), usedforsecurity=False).hexdigest()
        first = seen.get((hit.story_id, key, day))
        if first is None:
            seen[(hit.story_id, key, day)] = hit
            BeaconHit.objects.filter(pk=hit.pk).update(day=day, page_key=key, last_at=hit.at)
        else:
            first.hits += 1
            BeaconHit.objects.filter(pk=first.pk).update(hits=first.hits, last_at=hit.at)
            hit.delete()


class Migration(migrations.Migration):
    dependencies = [("distribution", "0002_alter_correctionnotice_status")]

    operations = [
        migrations.AddField(
            model_name="beaconhit",
            name="page_key",
            field=models.CharField(default="", editable=False, max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="beaconhit",
            name="day",
            field=models.DateField(db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="beaconhit", name="hits", field=models.PositiveIntegerField(default=1)
        ),
        migrations.AddField(
            model_name="beaconhit",
            name="client",
            field=models.CharField(
                blank=True, editable=False, help_text="Keyed hash of the first viewer's IP.",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="beaconhit",
            name="last_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, help_text="Latest view."
            ),
        ),
        migrations.AlterField(
            model_name="beaconhit",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, help_text="First view."
            ),
        ),
        migrations.RunPython(merge_hits, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="beaconhit", name="day", field=models.DateField(db_index=True)
        ),
        migrations.AddConstraint(
            model_name="beaconhit",
            constraint=models.UniqueConstraint(
                fields=("story", "page_key", "day"), name="one_beacon_row_per_page_and_day"
            ),
        ),
        migrations.AddIndex(
            model_name="beaconhit",
            index=models.Index(fields=["client", "day"], name="beacon_client_day"),
        ),
    ]
