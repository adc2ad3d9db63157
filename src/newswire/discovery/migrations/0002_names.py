"""Names that tell things apart (issue 36, item 7): a watched feed is read, not polled
(polling is what the CMS sources do); its domain's feeds are its ``watched_feeds`` (a
"source" is a CMS source only); its one-URL rule is named after it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("discovery", "0001_initial"),
        ("partners", "0003_web_url_validator"),
    ]

    operations = [
        migrations.RenameField("watchedfeed", "next_poll_at", "next_read_at"),
        migrations.RenameField("watchedfeed", "last_polled_at", "last_read_at"),
        migrations.AlterField(
            model_name="watchedfeed",
            name="every",
            field=models.PositiveIntegerField(default=3600, help_text="Seconds between reads."),
        ),
        migrations.AlterField(
            model_name="watchedfeed",
            name="domain",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="watched_feeds", to="partners.partnerdomain"),
        ),
        migrations.RemoveConstraint(model_name="watchedfeed", name="one_source_url"),
        migrations.AddConstraint(
            model_name="watchedfeed",
            constraint=models.UniqueConstraint(fields=("domain", "url"),
                                               name="one_watched_feed_url"),
        ),
    ]
