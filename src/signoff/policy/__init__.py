"""The policy language: YAML in, typed rules out, decisions that fail closed."""

# The protected files, read from the base ref (a change cannot loosen its own rules).
POLICY_PATH = ".signoff/policy.yml"
REGISTRY_PATH = ".signoff/agents.yml"  # the agent registry, `signoff.registry`
ALLOWED_SIGNERS_PATH = ".signoff/allowed_signers"
