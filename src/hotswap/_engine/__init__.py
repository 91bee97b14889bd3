"""One module brought to its new text as a transaction: parsing and re-parsing statements, the
statement diff and dataflow, patching objects in place, line numbers, class kinds and caches,
reference redirection and a checkpoint's heap batch, the undo journal, values that travel and
what behaves differently.
"""
