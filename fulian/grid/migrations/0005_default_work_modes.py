"""The seven work modes a deployment starts with (editable afterwards), and the work mode of
contacts recorded before there were any: a home visit is 入户走访, an activity 组织活动, the
rest (calls, messages) 帮扶关爱. Contacts recorded before review existed stay waiting."""

from django.db import migrations

# Frozen here (a copy of ``fulian.grid.choices.DEFAULT_WORK_MODES`` when it was written): a
# migration makes the same rows whatever the code says later.
DEFAULT_WORK_MODES = (
    ("入户走访", "Home visits"),
    ("政策宣讲", "Policy outreach"),
    ("矛盾调解", "Mediation"),
    ("帮扶关爱", "Help and care"),
    ("志愿服务", "Volunteer service"),
    ("组织活动", "Organising activities"),
    ("建言献策", "Advice and proposals"),
)

OLD_MODES = {
    "visit": "入户走访",
    "activity": "组织活动",
    "call": "帮扶关爱",
    "message": "帮扶关爱",
    "other": "帮扶关爱",
}


def forwards(apps, schema_editor):
    WorkMode = apps.get_model("grid", "WorkMode")
    Contact = apps.get_model("grid", "Contact")
    by_name = {}
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        by_name[name], _ = WorkMode.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "position": position * 10}
        )
    for old, name in OLD_MODES.items():
        Contact.objects.filter(mode=old, work_mode__isnull=True).update(work_mode=by_name[name])


class Migration(migrations.Migration):
    dependencies = [("grid", "0004_duty_record")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
