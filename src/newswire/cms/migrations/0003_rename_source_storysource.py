from django.db import migrations


class Migration(migrations.Migration):
    """``Source`` → ``StorySource``: the newsroom's CMS feed, named apart from a partner's
    feed (``pickups.PartnerFeed``). The rows are kept (the table is renamed)."""

    dependencies = [("cms", "0002_fault_item_key")]

    operations = [migrations.RenameModel(old_name="Source", new_name="StorySource")]
