from django.db import migrations

from fulian.core.dbops import TRIGRAM_EXTENSION, search_indexes


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [TRIGRAM_EXTENSION, *search_indexes("people_person", "name")]
