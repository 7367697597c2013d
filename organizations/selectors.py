from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import OrganisationalUnit


@dataclass
class UnitNode:
    unit: OrganisationalUnit
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree(queryset: QuerySet[OrganisationalUnit]) -> list[UnitNode]:
    """The units as a forest, built in Python from one query whatever the depth."""
    nodes: dict[int | None, UnitNode] = {u.pk: UnitNode(u) for u in queryset.order_by("name")}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id)
        (parent.children if parent else roots).append(node)
    return roots
