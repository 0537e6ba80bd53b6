"""Path patterns: gitignore-style globs, the one pattern language of signoff."""
