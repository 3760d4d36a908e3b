"""Unit tests: plain Python only. They must run where PySide6 and PyAV are not installed."""
