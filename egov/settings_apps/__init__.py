"""Settings of the portal apps, one module per app, each owned by its app.

Every variable is still declared through :func:`egov.conf.env`, so
``docs/settings.md`` lists them all.
"""
