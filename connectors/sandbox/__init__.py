"""The built-in sandbox trade platform (a FastAPI app with its own SQLite database).

Use :func:`connectors.sandbox.app.create_platform_app`; run it alone with
``python -m connectors.sandbox --port 8090 --db sqlite:///platform.sqlite3``.
"""
