"""Who may act: the agent registry, the humans' allowed signers and their SSH keys."""
