"""Give every existing organization its copy of the shipped screening rules."""

from django.db import migrations

ROW_FIELDS = ("code", "title", "applies", "source_ids")


def seed(apps, schema_editor):
    from needlepoint.intake.rules import load_default_rules

    Organization = apps.get_model("core", "Organization")
    ScreeningRule = apps.get_model("intake", "ScreeningRule")
    rules = load_default_rules()
    for organization in Organization.objects.all():
        for position, data in enumerate(rules):
            ScreeningRule.objects.get_or_create(
                organization=organization,
                code=data["code"],
                defaults={
                    "title": data["title"],
                    "applies": data["applies"],
                    "source_ids": data["source_ids"],
                    "definition": {k: v for k, v in data.items() if k not in ROW_FIELDS},
                    "sort_order": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
