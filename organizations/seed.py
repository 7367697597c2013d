"""Seed data for this app: source documents, municipalities, professions and bodies."""

from .models import Body, Municipality, Profession


def load(loader) -> None:
    loader.load_sources()
    for _path, data in loader.documents("organizations.yaml"):
        for record in data.get("municipalities", []):
            loader.upsert(
                Municipality,
                {"code": record["code"]},
                {
                    "name": record["name"],
                    "slug": record["slug"],
                    **loader.provenance(record["source"], record),
                },
            )
        for record in data.get("professions", []):
            loader.upsert(
                Profession,
                {"key": record["key"]},
                {
                    "name": record["name"],
                    "name_plural": record["name_plural"],
                    **loader.provenance(record["source"], record),
                },
            )
        for record in data.get("bodies", []):
            loader.upsert(
                Body,
                {
                    "name": record["name"],
                    "municipality": loader.municipality(record["municipality"]),
                },
                {"kind": record["kind"], **loader.provenance(record["source"], record)},
            )
