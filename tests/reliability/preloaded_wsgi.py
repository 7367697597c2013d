"""config.wsgi with the URL configuration imported too (every view, and with them pandas and
matplotlib), for gunicorn --preload in tests/reliability/test_database_restart.py: imported once
before the fork, so each worker answers its first request at once instead of spending a second or
more of CPU on imports. Database connections are still opened by each worker, after the fork."""

from django.urls import get_resolver

from config.wsgi import application

get_resolver().url_patterns  # noqa: B018 - imports the views

__all__ = ["application"]
