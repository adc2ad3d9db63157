from django.db import migrations


class Migration(migrations.Migration):
    """``Source`` → ``PartnerFeed``: a partner's feed or sitemap, named apart from the
    newsroom's CMS feed (``cms.StorySource``). The rows are kept (the table is renamed)."""

    dependencies = [("pickups", "0008_correction_watch")]

    operations = [migrations.RenameModel(old_name="Source", new_name="PartnerFeed")]
