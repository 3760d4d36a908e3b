"""Widgets shared by the candidate, reviewer and panel windows."""
