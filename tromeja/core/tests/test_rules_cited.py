"""Code that enforces a legal or operational rule cites it as
`docs/rules.md §N`; every section cited is in the repository's own docs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_cited_rule_is_in_docs_rules_md():
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## §(\d+) ", rules, flags=re.M))
    cited = {}
    for path in [*(ROOT / "tromeja").rglob("*.py"), *(ROOT / "docs").glob("*.md")]:
        if path.resolve() == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<!docs/)\brules\.md", text), f"{path}: cite docs/rules.md"
        for number in re.findall(r"docs/rules\.md §(\d+)", text):
            cited.setdefault(number, path)
    assert cited, "no rule is cited at all"
    missing = {n: str(p) for n, p in cited.items() if n not in sections}
    assert not missing, f"cited but not in docs/rules.md: {missing}"
