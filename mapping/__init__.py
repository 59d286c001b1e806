"""Compiler from models to circuits (see the circuits and mapping issue)."""
