"""One module per ``vle`` sub-command; each exposes ``register(subparsers)``."""
