"""The policy language: YAML in, typed rules out, decisions that fail closed."""
