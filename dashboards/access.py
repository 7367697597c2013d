"""Who may take data out of the dashboards: the export roles of organizations.access (analyst, HR
officer, administrator), so a published page never becomes an anonymous bulk download."""

from organizations.access import can_export

__all__ = ["can_export"]
