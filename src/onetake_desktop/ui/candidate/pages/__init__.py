"""One module per candidate page; ``window.py`` stacks them and drives them from the service."""
