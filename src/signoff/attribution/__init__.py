"""Who influenced a commit: registered agents, known AI tools, bots, verified humans."""
