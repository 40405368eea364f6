import uuid

from django.db import migrations, models


def give_each_membership_its_own_id(apps, schema_editor):
    Membership = apps.get_model("cities", "Membership")
    for membership in Membership.objects.all():
        membership.public_id = uuid.uuid4()
        membership.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0002_workspace_invitation_workspacerequest_membership"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True),
        ),
        migrations.RunPython(give_each_membership_its_own_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
