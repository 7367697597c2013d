"""Benchmarks: like the test settings, on a throwaway SQLite file under var/ unless DATABASE_URL says
otherwise."""

from .test import *  # noqa: F403
