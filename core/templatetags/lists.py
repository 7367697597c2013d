"""Column headers that sort a list: links that work without JavaScript."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(
    context: template.Context,
    filterset: Any,
    key: str,
    label: str,
    order: str = "ascending",
    css_class: str = "",
) -> dict[str, Any]:
    """A ``<th>`` whose link sorts the list by ``key``, a value of ``filterset``'s ``sort`` filter
    (which whitelists what may be sorted on); a second click reverses the order where the filter
    offers ``-key``. ``key`` "" is the list's default order (the link drops ``sort``). ``order``:
    the direction ``key`` itself sorts in ("descending" for "largest shortage first"). The other
    filters stay in the address; the page goes back to the first. ``aria-sort`` marks the sorted
    column."""
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
    return {
        "label": label,
        "state": state,
        "href": f"?{params.urlencode()}",
        "css_class": css_class,
    }
