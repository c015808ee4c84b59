"""The full-text index of each database, kept by triggers in the write
transaction.

Every searchable kind of record has one row in `SearchEntry` (kind, the
record's id) and its text in the database's own full-text index:

* SQLite: an FTS5 table per kind, `search_text_<kind>`, rowid = the entry's
  id, tokenizer `unicode61 remove_diacritics 2` (case and accents folded;
  đ is folded to d by the trigger, which unicode61 does not do);
* PostgreSQL: the entry's `document` column, a tsvector of the `simple`
  configuration over the text folded by `search_fold()` (lower case,
  accents removed by translate(), no extension needed), with a partial GIN
  index per kind.

Triggers on the records' tables (AFTER INSERT, AFTER UPDATE OF the text
columns, AFTER DELETE) keep both in the transaction that writes the record,
whichever code writes it: the services, `bulk_create`, an import's staged
rows. Entries are numbered in the order records were indexed; a search
reads the newest first.
"""

# ruff: noqa: S608 -- the statements are built from this module's constants only

import unicodedata

from django.db import connection as default_connection

# kind -> (table, text columns)
SOURCES = {
    "incident": ("incidents_incident", ("narrative", "place_name")),
    "case": ("exchange_case", ("subject",)),
    "message": ("exchange_message", ("body",)),
    "notice": ("notices_notice", ("title", "body", "persons_concerned")),
}
ENTRY_TABLE = "search_searchentry"


def _fold_table() -> tuple[str, str]:
    """(from, to) of translate(): every Latin letter with a diacritic the
    region writes, and a few without a decomposition, to its plain letter."""
    extra = {"đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ħ": "h", "Ħ": "h"}
    src, dst = [], []
    for code in range(0xC0, 0x250):
        ch = chr(code)
        if ch in extra:
            continue
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        ).lower()
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != ch:
            src.append(ch)
            dst.append(plain)
    for ch, plain in extra.items():
        src.append(ch)
        dst.append(plain)
    return "".join(src), "".join(dst)


FOLD_FROM, FOLD_TO = _fold_table()
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """The text as the index holds it: lower case, accents folded (the same
    mapping as the database function search_fold())."""
    return text.lower().translate(_FOLD)


def _text_sql(kind: str, row: str, vendor: str) -> str:
    _table, columns = SOURCES[kind]
    joined = " || ' ' || ".join(f"coalesce({row}.{c}, '')" for c in columns)
    if vendor == "postgresql":
        return f"to_tsvector('simple', search_fold({joined}))"
    return f"replace(replace({joined}, 'đ', 'd'), 'Đ', 'D')"


def fts_table(kind: str) -> str:
    return f"search_text_{kind}"


# --- SQLite ------------------------------------------------------------------------


def _sqlite_install(c) -> None:
    for kind, (table, columns) in SOURCES.items():
        fts = fts_table(kind)
        c.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        entry = f"(SELECT id FROM {ENTRY_TABLE} WHERE kind = '{kind}' AND source = NEW.id)"
        old_entry = f"(SELECT id FROM {ENTRY_TABLE} WHERE kind = '{kind}' AND source = OLD.id)"
        c.execute(
            f"CREATE TRIGGER search_{kind}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {ENTRY_TABLE} (kind, source) VALUES ('{kind}', NEW.id); "
            f"INSERT INTO {fts} (rowid, body) "
            f"VALUES ({entry}, {_text_sql(kind, 'NEW', 'sqlite')}); "
            f"END"
        )
        c.execute(
            f"CREATE TRIGGER search_{kind}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} BEGIN "
            f"UPDATE {fts} SET body = {_text_sql(kind, 'NEW', 'sqlite')} WHERE rowid = {entry}; "
            f"END"
        )
        c.execute(
            f"CREATE TRIGGER search_{kind}_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = {old_entry}; "
            f"DELETE FROM {ENTRY_TABLE} WHERE kind = '{kind}' AND source = OLD.id; "
            f"END"
        )


def _sqlite_uninstall(c) -> None:
    for kind in SOURCES:
        for event in ("insert", "update", "delete"):
            c.execute(f"DROP TRIGGER IF EXISTS search_{kind}_{event}")
        c.execute(f"DROP TABLE IF EXISTS {fts_table(kind)}")


def _sqlite_fill(c) -> None:
    c.execute(f"DELETE FROM {ENTRY_TABLE}")
    for kind, (table, _columns) in SOURCES.items():
        fts = fts_table(kind)
        c.execute(f"DELETE FROM {fts}")
        c.execute(
            f"INSERT INTO {ENTRY_TABLE} (kind, source) "
            f"SELECT '{kind}', id FROM {table} ORDER BY created_at, id"
        )
        c.execute(
            f"INSERT INTO {fts} (rowid, body) "
            f"SELECT e.id, {_text_sql(kind, 'r', 'sqlite')} FROM {ENTRY_TABLE} e "
            f"JOIN {table} r ON r.id = e.source WHERE e.kind = '{kind}' ORDER BY e.id"
        )
        c.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")


# --- PostgreSQL --------------------------------------------------------------------


def _pg_install(c) -> None:
    c.execute(
        "CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        f"$$ SELECT translate(lower(t), '{FOLD_FROM}', '{FOLD_TO}') $$"
    )
    c.execute(f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN IF NOT EXISTS document tsvector")
    for kind, (table, columns) in SOURCES.items():
        c.execute(
            f"""
            CREATE OR REPLACE FUNCTION search_index_{kind}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM {ENTRY_TABLE} WHERE kind = '{kind}' AND source = OLD.id;
                    RETURN OLD;
                END IF;
                INSERT INTO {ENTRY_TABLE} (kind, source, document)
                VALUES ('{kind}', NEW.id, {_text_sql(kind, "NEW", "postgresql")})
                ON CONFLICT (kind, source) DO UPDATE SET document = EXCLUDED.document;
                RETURN NEW;
            END
            $$
            """
        )
        c.execute(f"DROP TRIGGER IF EXISTS search_index ON {table}")
        c.execute(
            f"CREATE TRIGGER search_index AFTER INSERT OR DELETE OR UPDATE OF "
            f"{', '.join(columns)} ON {table} FOR EACH ROW EXECUTE FUNCTION search_index_{kind}()"
        )


def _pg_indexes(c) -> None:
    for kind in SOURCES:
        c.execute(
            f"CREATE INDEX IF NOT EXISTS search_document_{kind} ON {ENTRY_TABLE} "
            f"USING gin (document) WHERE kind = '{kind}'"
        )


def _pg_drop_indexes(c) -> None:
    for kind in SOURCES:
        c.execute(f"DROP INDEX IF EXISTS search_document_{kind}")


def _pg_uninstall(c) -> None:
    for kind, (table, _columns) in SOURCES.items():
        c.execute(f"DROP TRIGGER IF EXISTS search_index ON {table}")
        c.execute(f"DROP FUNCTION IF EXISTS search_index_{kind}()")
    _pg_drop_indexes(c)
    c.execute(f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS document")
    c.execute("DROP FUNCTION IF EXISTS search_fold(text)")


def _pg_fill(c) -> None:
    _pg_drop_indexes(c)
    c.execute(f"DELETE FROM {ENTRY_TABLE}")
    for kind, (table, _columns) in SOURCES.items():
        c.execute(
            f"INSERT INTO {ENTRY_TABLE} (kind, source, document) "
            f"SELECT '{kind}', r.id, {_text_sql(kind, 'r', 'postgresql')} "
            f"FROM {table} r ORDER BY r.created_at, r.id"
        )
    _pg_indexes(c)
    c.execute(f"ANALYZE {ENTRY_TABLE}")


# --- Entry points ------------------------------------------------------------------


def install(connection=None) -> None:
    """Create the full-text tables, functions and triggers (idempotent on
    PostgreSQL; SQLite's triggers are dropped and created again)."""
    connection = connection or default_connection
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            _pg_install(c)
            _pg_indexes(c)
        else:
            for kind in SOURCES:
                for event in ("insert", "update", "delete"):
                    c.execute(f"DROP TRIGGER IF EXISTS search_{kind}_{event}")
            _sqlite_install(c)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            _pg_uninstall(c)
        else:
            _sqlite_uninstall(c)


def rebuild(connection=None) -> int:
    """Index every record again from its table (after a restore, or to
    check); returns the number of entries. The triggers keep the index in
    normal operation."""
    connection = connection or default_connection
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            _pg_fill(c)
        else:
            _sqlite_fill(c)
        c.execute(f"SELECT count(*) FROM {ENTRY_TABLE}")
        return c.fetchone()[0]
