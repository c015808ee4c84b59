"""axe-core in a Playwright page: the accessibility checks the browser tests run.

axe-core is installed from npm (package.json) and injected into the page under
test; the site's Content-Security-Policy allows no foreign script, so the
pages are opened in a context made with ``bypass_csp=True``.
"""

from pathlib import Path

from django.conf import settings

AXE = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "),
                              html: n.html.slice(0, 200),
                              summary: (n.failureSummary || "").slice(0, 300)})),
  }));
}"""


def inject(page):
    """Put axe-core into the page (once per document) and check it runs."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    version = page.evaluate("() => window.axe && window.axe.version")
    assert version, "axe-core did not load into the page (Content-Security-Policy?)"
    return version


def violations(page, *, impacts=BLOCKING):
    """The violations of the given impacts on the page as it is now."""
    inject(page)
    found = page.evaluate(RUN, TAGS)
    return [v for v in found if v["impact"] in impacts]


def describe(found, *, url, language, who=None):
    """A readable account of violations: rule, help, where, what to do."""
    lines = []
    for v in found:
        lines.append(
            f"[{v['impact']}] {v['id']}: {v['help']} — {url} ({language}"
            f"{', as ' + who if who else ''})"
        )
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}  {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", " / "))
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)
