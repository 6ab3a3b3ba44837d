"""The web workbench: pages and a JSON API over the same service functions, with accounts, roles and
restricted documents. Build it with :func:`organwatch.web.app.create_app`; serve it with ``organwatch serve``.
"""
