"""The admin where HR and administrative staff keep recommendations up to date. Importing the
modules registers their ModelAdmins."""

from . import recommendation, reports  # noqa: F401
