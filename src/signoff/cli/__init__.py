"""The command-line shell: thin handlers around the core."""
