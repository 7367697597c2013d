"""The region a wide table scrolls in: written once, for the pages and the admin."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_block_tag(takes_context=True)
def table_scroll(
    context: template.Context, content: SafeString, *labelled_by: object, label: str = ""
) -> SafeString:
    """``{% table_scroll "changed-heading" %}<table>…</table>{% endtable_scroll %}``: a table wider
    than the screen scrolls inside its own region, never the page (WCAG 1.4.10). The region is named
    by the element whose id is ``labelled_by`` (its parts joined, each written as ``{{ }}`` would
    write it: ``"report-section-" forloop.counter``), or by ``label``; it takes keyboard focus, so
    the keyboard scrolls it too (static/css/site.css styles it)."""
    if label:
        return format_html(
            '<div class="table-scroll" role="region" aria-label="{}" tabindex="0">{}</div>',
            label,
            content,
        )
    parts = [render_value_in_context(part, context) for part in labelled_by]
    name = mark_safe("".join(parts))  # noqa: S308  # each part escaped, as ``{{ }}`` escapes it
    return format_html(
        '<div class="table-scroll" role="region" aria-labelledby="{}" tabindex="0">{}</div>',
        name,
        content,
    )
