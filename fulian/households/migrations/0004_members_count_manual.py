from django.db import migrations, models
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def keep_written_sizes(apps, schema_editor):
    """Sizes written before the size could follow the member list: one that differs from what
    the list gives (its members, and the head unless listed) was written by hand, and stays."""
    Household = apps.get_model("households", "Household")
    Member = apps.get_model("households", "HouseholdMember")
    members = Member.objects.filter(household=OuterRef("pk"))
    counted = members.order_by().values("household").annotate(n=Count("id")).values("n")
    listed = Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    head = Exists(members.filter(relation="head"))
    from_list = models.Case(models.When(head, then=listed), default=listed + Value(1), output_field=IntegerField())
    Household.objects.alias(from_list=from_list).exclude(members_count=models.F("from_list")).update(
        members_count_manual=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="members_count_manual",
            field=models.BooleanField(default=False, verbose_name="number of people set by hand"),
        ),
        migrations.RunPython(keep_written_sizes, migrations.RunPython.noop, elidable=True),
    ]
