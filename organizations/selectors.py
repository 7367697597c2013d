from dataclasses import dataclass, field

from .models import OrganisationalUnit


@dataclass
class UnitNode:
    unit: OrganisationalUnit
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree(queryset) -> list[UnitNode]:
    """The units as a forest, built in Python from one query whatever the depth."""
    nodes = {u.pk: UnitNode(u) for u in queryset.order_by("name")}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id)
        (parent.children if parent else roots).append(node)
    return roots
