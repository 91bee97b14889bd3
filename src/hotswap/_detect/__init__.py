"""Which watched files changed, and what each module executes: the tracker and its records, the
capturing import hook, file events, the importer index, and the thread that prepares a save's
first reload.
"""
