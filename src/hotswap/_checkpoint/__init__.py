"""A checkpoint: the Reloader (the public entry point) and the work once files changed (order,
transactions, retries) with importer propagation.
"""
