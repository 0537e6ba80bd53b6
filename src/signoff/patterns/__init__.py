"""Path patterns: gitignore-style globs, the one pattern language of signoff; and the plain view
of text that the multi-pattern engines read (`plain_view`)."""
