from django.db import migrations

from fulian.core.dbops import TRIGRAM_EXTENSION, search_indexes


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [
        TRIGRAM_EXTENSION,
        *search_indexes("households_household", "head_name"),
        *search_indexes("households_householdmember", "name"),
    ]
