"""GET /api/v1/search keeps the API's contract on its own, so that it can be
run with many more generated queries than the whole API's run gives each
operation (TROMEJA_SCHEMATHESIS_EXAMPLES=40: FTS syntax, odd Unicode, long
values): never a server error, always the documented answers."""

from schemathesis import GenerationMode

from tromeja.core.tests.test_schemathesis import _run, api_schema, token  # noqa: F401


def test_search_keeps_the_contract(api_schema, token):  # noqa: F811
    operations = [
        r.ok() for r in api_schema.get_all_operations() if r.ok().path == "/api/v1/search"
    ]
    assert len(operations) == 1
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _run(operations[0], token, mode)
