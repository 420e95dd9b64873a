from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_never_wedged"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="extraction_doubt",
            field=models.TextField(
                blank=True,
                help_text="Why extraction found no convincing article body; the article then waits for an editor.",
            ),
        ),
    ]
