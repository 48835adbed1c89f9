"""The public lookup of a dossier by its code: page, API and the shared read."""
