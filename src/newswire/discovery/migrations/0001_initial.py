"""The models pickups kept until its migration 0015, taken over as they were (their tables
renamed there): the state only. ``0002`` gives them their new names."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import newswire.wire.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("partners", "0003_web_url_validator"),
        ("pickups", "0015_move_to_discovery"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="HostTurn",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("host", models.CharField(max_length=253, unique=True)),
                        ("next_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                ),
                migrations.CreateModel(
                    name="WatchedFeed",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("url", models.URLField(max_length=1000, validators=[
                            newswire.wire.models.WebURLValidator(
                                message="Enter an http:// or https:// URL.",
                                schemes=["http", "https"])])),
                        ("kind", models.CharField(max_length=10, choices=[
                            ("feed", "RSS or Atom feed"),
                            ("sitemap", "Sitemap (news sitemap, sitemap index)")])),
                        ("found_by", models.CharField(
                            default="editor", editable=False, max_length=10,
                            help_text="editor, or discovered (the home page's feed links, "
                                      "robots.txt Sitemap: lines)")),
                        ("every", models.PositiveIntegerField(
                            default=3600, help_text="Seconds between polls.")),
                        ("next_poll_at", models.DateTimeField(
                            db_index=True, default=django.utils.timezone.now)),
                        ("last_polled_at", models.DateTimeField(
                            blank=True, editable=False, null=True)),
                        ("etag", models.CharField(blank=True, editable=False, max_length=300)),
                        ("last_modified", models.CharField(
                            blank=True, editable=False, max_length=100)),
                        ("articles", models.PositiveIntegerField(
                            default=0, editable=False,
                            help_text="Articles queued for a check so far.")),
                        ("last_error", models.TextField(blank=True, editable=False)),
                        ("last_error_at", models.DateTimeField(
                            blank=True, editable=False, null=True)),
                        ("domain", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="sources", to="partners.partnerdomain")),
                    ],
                    options={"ordering": ["domain", "url"]},
                ),
                migrations.AddConstraint(
                    model_name="watchedfeed",
                    constraint=models.UniqueConstraint(fields=("domain", "url"),
                                                       name="one_source_url"),
                ),
                migrations.CreateModel(
                    name="DomainWatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("discovered_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("domain", models.OneToOneField(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="watch", to="partners.partnerdomain")),
                    ],
                    options={"verbose_name_plural": "domain watches"},
                ),
            ],
        ),
    ]
