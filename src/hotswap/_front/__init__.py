"""The ways a person meets hotswap: the report's one renderer, the plain REPL, the runner and file
watcher, the command line, the demo, running loops.
"""
