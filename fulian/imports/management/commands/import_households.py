from fulian.imports.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Check (and with --commit, import) a household list."
    kind = "households"
