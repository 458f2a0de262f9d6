"""Helpers for the web tests: a real archive, a WSGI client, the app served to headless Chromium."""
