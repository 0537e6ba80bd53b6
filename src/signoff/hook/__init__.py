"""The git server's enforcement point: `signoff hook pre-receive` (docs/tokens.md).

__main__.py  the installed hook's entry point (no click); command.py the CLI's click command
options.py   the options of `pre-receive`, defined once for both
entry.py     what both do with their options: pick the backend, read stdin, run
run.py       the hook: git's object checks, then a task token's push (`signoff.broker.enforce`)
landing.py   pushes without a token: refused, or a person's, whose protected-branch updates
             pass the gate (`signoff.gate.check.run_check`)
gitread.py   ref updates, push options, new commits and their file changes, git's config
policy.py    protected patterns and class globs from the default branch, cached per policy blob
backend.py   where tokens are checked and pushes recorded: the control plane over HTTP, or its
             database directly
http.py      the minimal HTTP client of the hot path
pushes.py    the push record the control plane keeps, and what the pusher is told
install.py   write hooks/pre-receive into a bare repository
"""
