"""The watched feeds, the domains' watches and the hosts' turns move to the discovery app
(issue 36, items 6 and 7). Their rows stay: each table is renamed to its new app's name;
this app's state forgets the models, and ``discovery.0001_initial`` takes them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pickups", "0014_copy_screenshots"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("partnerfeed", "discovery_watchedfeed"),
                migrations.AlterModelTable("domainwatch", "discovery_domainwatch"),
                migrations.AlterModelTable("hostturn", "discovery_hostturn"),
            ],
            state_operations=[
                migrations.DeleteModel("PartnerFeed"),
                migrations.DeleteModel("DomainWatch"),
                migrations.DeleteModel("HostTurn"),
            ],
        ),
    ]
