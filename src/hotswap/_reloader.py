"""Placeholder while the engine lands."""
