from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("distribution", "0010_wordpress_posts_per_site")]

    operations = [
        migrations.AddField(
            model_name="wordpresspost",
            name="pushed_text",
            field=models.CharField(
                blank=True, editable=False, max_length=64,
                help_text="A digest of the title and text the post had after newswire's last "
                "push, as WordPress stored them: the partner edited the post when they differ.",
            ),
        ),
    ]
