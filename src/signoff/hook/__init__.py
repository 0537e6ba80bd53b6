"""The git server's enforcement point: `signoff hook pre-receive` (DESIGN.md §2 mode 3).

gitread.py   ref updates, push options, new commits and their file changes (3 git calls)
backend.py   where tokens are checked and pushes recorded: the control plane over HTTP,
             or the server's database directly
run.py       the hook itself: read, check, decide (`signoff.broker.enforce`), report
install.py   write hooks/pre-receive into a bare repository
"""
