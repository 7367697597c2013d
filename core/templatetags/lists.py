"""Column headers (and, for lists without columns, links) that sort a list; no JavaScript."""

from typing import Any

from django import template

register = template.Library()


def _sorting(
    context: template.Context, filterset: Any, key: str, label: str, order: str
) -> dict[str, Any]:
    """What a sorting link shows: the state of ``key`` (``aria-sort`` wording: "ascending",
    "descending" or "") and the address that sorts by it. ``key`` is a value of ``filterset``'s
    ``sort`` filter, which whitelists what may be sorted on; a second click reverses the order
    where the filter offers ``-key``; ``key`` "" is the list's default order (the link drops
    ``sort``). ``order``: the direction ``key`` itself sorts in ("descending" for "largest shortage
    first"). The other filters stay in the address; the page goes back to the first."""
    allowed = filterset.sort_values()
    if key and key not in allowed:
        raise template.TemplateSyntaxError(f"{key!r} is not a sort order of {filterset!r}")
    param = filterset.sort_param
    current = filterset.data.get(param, "") if filterset.data else ""  # unknown ones are dropped
    reverse = "descending" if order == "ascending" else "ascending"
    state, target = "", key
    if current == key:
        state = order
        target = f"-{key}" if key and f"-{key}" in allowed else key
    elif key and current == f"-{key}":
        state = reverse
    params = context["request"].GET.copy()
    params.pop("page", None)
    params.pop(param, None)
    if target:
        params[param] = target
    return {"label": label, "state": state, "href": f"?{params.urlencode()}"}


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(
    context: template.Context,
    filterset: Any,
    key: str,
    label: str,
    order: str = "ascending",
    css_class: str = "",
) -> dict[str, Any]:
    """A ``<th>`` whose link sorts the list by ``key`` (see ``_sorting``); ``aria-sort`` marks the
    sorted column."""
    return {**_sorting(context, filterset, key, label, order), "css_class": css_class}


@register.inclusion_tag("core/_sort_link.html", takes_context=True)
def sort_link(
    context: template.Context, filterset: Any, key: str, label: str, order: str = "ascending"
) -> dict[str, Any]:
    """The same link for a list without columns (cards): the chosen order is marked with
    ``aria-current`` and its direction in words."""
    return _sorting(context, filterset, key, label, order)
