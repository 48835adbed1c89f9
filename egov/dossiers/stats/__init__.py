"""Statistics of dossiers: figures, page, Excel report and API."""
