"""The visibility "shared with the city's mentors" becomes a mentorship's consent (mentoring.Mentorship's
shared assessments): one gate for what mentors read, not a second switch. No mentor could read a shared
assessment before mentorships existed (it read like private), so each one becomes private, with the change in
its history; its coordinators share it with their mentors when a mentorship starts."""

from django.db import migrations, models


def shared_to_private(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    AssessmentEvent = apps.get_model("assessments", "AssessmentEvent")
    shared = list(Assessment.objects.filter(visibility="shared"))
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(
            assessment=assessment,
            by=None,
            action="visibility_changed",
            changes={
                "visibility": {"from": "shared", "to": "private"},
                "note": "Mentors now read what a mentorship's consent shares.",
            },
        )
        for assessment in shared
    )
    Assessment.objects.filter(pk__in=[a.pk for a in shared]).update(visibility="private")


def private_stays(apps, schema_editor):
    """Going back cannot tell which private assessments were shared before: they stay private."""


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_rounds_context_links"),
    ]

    operations = [
        migrations.RunPython(shared_to_private, private_stays),
        migrations.AlterField(
            model_name="assessment",
            name="visibility",
            field=models.CharField(
                choices=[("private", "Private to the workspace"), ("published", "Published")],
                default="private",
                max_length=10,
                verbose_name="visibility",
            ),
        ),
    ]
