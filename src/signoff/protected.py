"""What a change can never loosen for itself: the protected files and the approvals ref.

The policy, the agent registry and the allowed signers are read from the protected base ref,
never from the change under review; signed approval records travel on their own ref. This is a
leaf module (it imports nothing), so every layer can name these paths without importing another.
"""

POLICY_PATH = ".signoff/policy.yml"
REGISTRY_PATH = ".signoff/agents.yml"
ALLOWED_SIGNERS_PATH = ".signoff/allowed_signers"
#: Where signed approval records live (docs/approvals.md).
APPROVALS_REF = "refs/signoff/approvals"
