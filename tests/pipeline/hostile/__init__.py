"""Generated hostile submission bundles (see corpus.py) and the synthetic media they carry."""
