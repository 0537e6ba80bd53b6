"""The policy language: YAML in, typed rules out, decisions that fail closed."""

POLICY_PATH = ".signoff/policy.yml"
ALLOWED_SIGNERS_PATH = ".signoff/allowed_signers"
