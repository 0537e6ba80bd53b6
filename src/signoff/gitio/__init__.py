"""Reading git: one streaming plumbing call per question, never one process per commit."""
