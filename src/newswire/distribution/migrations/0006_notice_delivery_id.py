"""Every notice gets a delivery id of its own (sent with each try) and a "sending" status
that is saved before a send, so a send cut off by a killed worker is known as such."""

import uuid

from django.db import migrations, models


def fill_ids(apps, schema_editor):
    for name in ("CorrectionNotice", "ComplianceNotice"):
        model = apps.get_model("distribution", name)
        for pk in model.objects.values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(delivery_id=uuid.uuid4())


STATUS = models.CharField(
    choices=[
        ("pending", "Pending"),
        ("sending", "Being sent (or cut off mid-send: sent again with the same id)"),
        ("sent", "Sent"),
        ("retrying", "Failed, will retry"),
        ("failed", "Failed, gave up"),
        ("held", "Held until the story is public"),
        ("cancelled", "Not sent: the story was withdrawn"),
    ],
    db_index=True,
    default="pending",
    max_length=10,
)
HELP = (
    "Sent with every try (webhook: X-Newswire-Delivery; e-mail: Message-ID), so a receiver "
    "can drop a repeat."
)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0005_beacon_day_hits")]

    operations = [
        *(
            migrations.AddField(
                model_name=name, name="delivery_id", field=models.UUIDField(null=True, editable=False)
            )
            for name in ("correctionnotice", "compliancenotice")
        ),
        migrations.RunPython(fill_ids, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="delivery_id",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True,
                                       help_text=HELP),
            )
            for name in ("correctionnotice", "compliancenotice")
        ),
        *(
            migrations.AlterField(model_name=name, name="status", field=STATUS)
            for name in ("correctionnotice", "compliancenotice")
        ),
    ]
