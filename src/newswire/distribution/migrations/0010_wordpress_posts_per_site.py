"""A WordPress post belongs to the site it was made on (site_url), so that a partner who
connects another site never has newswire act on the old site's post ids there; and a
push claims a post (busy_until) before it creates one, so two pushes make one post."""

from urllib.parse import urlsplit

from django.db import migrations, models


def _key(url):
    parts = urlsplit((url or "").strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"[:500]


def posts_to_their_sites(apps, schema_editor):
    """A post whose link lies under the partner's connected site was made there; any other
    (made on a site connected before, or with no link) is keyed by its link's own origin,
    or left without a site, and so is never acted on by the current connection."""
    Post = apps.get_model("distribution", "WordPressPost")
    Site = apps.get_model("distribution", "WordPressSite")
    sites = {s.partner_id: _key(s.url) for s in Site.objects.all()}
    for post in Post.objects.all().iterator():
        site = sites.get(post.partner_id, "")
        link = post.link or ""
        if site and (link == site or link.startswith(site + "/")):
            post.site_url = site
        elif link.startswith(("http://", "https://")):
            parts = urlsplit(link)
            post.site_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}?old"[:500]
        else:
            post.site_url = "?unknown"
        post.save(update_fields=["site_url"])


class Migration(migrations.Migration):

    dependencies = [
        ('distribution', '0009_delivery_by_wordpress'),
        ('partners', '0003_web_url_validator'),
        ('wire', '0008_web_url_validator'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='wordpresspost',
            name='one_wp_post_per_story',
        ),
        migrations.AddField(
            model_name='wordpresspost',
            name='busy_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='wordpresspost',
            name='site_url',
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.RunPython(posts_to_their_sites, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='wordpresspost',
            constraint=models.UniqueConstraint(fields=('partner', 'story', 'site_url'), name='one_wp_post_per_story_and_site'),
        ),
    ]
