"""The search index: one row per record whose free text is searchable.

The rows are written by database triggers on the records' own tables
(created by this app's migrations, see `index.py`), in the transaction that
writes the record, whoever writes it: a service, a bulk insert, an import.
An entry says nothing about who may see the record; every hit is checked
with the record's visibility rule before it is shown.
"""

from django.db import models


class SearchEntry(models.Model):
    """A record of `kind` with id `source`. On SQLite its text is in the FTS5
    table search_text_<kind> under the entry's id; on PostgreSQL in the
    column `document` (a tsvector the model does not declare)."""

    kind = models.CharField(max_length=10)
    source = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source"], name="search_entry_unique"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.source}"
