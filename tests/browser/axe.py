"""axe-core in a Playwright page: the serious and critical violations, which a page must not have."""

BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> str:
    """The page's serious and critical axe violations, one line each; empty when there are none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response.get("violations", []) if v.get("impact") in BLOCKING]
    return "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(str(n.get("target", [""])[0]) for n in v.get("nodes", [])[:5])
        for v in violations
    )


def check_axe(page, label: str) -> None:
    details = blocking_violations(page)
    assert not details, f"axe on {label} ({page.url}):\n{details}"
