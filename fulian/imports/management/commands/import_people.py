from fulian.imports.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Check (and with --commit, import) a roster of people: 执委, 骨干, volunteers."
    kind = "people"
