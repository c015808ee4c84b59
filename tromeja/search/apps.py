from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_triggers(sender, using="default", **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds the table
    (Django's way of altering a column there): create them again after
    every migrate. Idempotent; nothing to do before this app's migrations."""
    from django.db import connections

    from tromeja.search import index

    connection = connections[using]
    if index.ENTRY_TABLE not in connection.introspection.table_names():
        return
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    if ("search", "0002_full_text_index") not in applied:
        return
    index.install(connection)


class SearchConfig(AppConfig):
    name = "tromeja.search"
    label = "search"

    def ready(self):
        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="search_triggers")
