"""`python -m signoff.hook pre-receive ...`: the installed hook's entry point, without click.

The same options as `signoff hook pre-receive` (both are built from `signoff.hook.options`).
Exit codes: 0 accept, 1 refuse, 2 usage (git refuses the push on any non-zero).
"""

from __future__ import annotations

import sys

from signoff.hook.options import UsageError, parse, usage


def main(argv: list[str]) -> int:
    if argv[:1] in (["--help"], ["-h"]) or argv[1:2] in (["--help"], ["-h"]):
        sys.stdout.write(usage() + "\n")
        return 0
    try:
        if argv[:1] != ["pre-receive"]:
            raise UsageError("expected the command `pre-receive`")
        opts = parse(argv[1:])
    except UsageError as exc:
        sys.stderr.write(f"signoff hook: {exc}\n")
        return 2
    from signoff.hook.entry import pre_receive

    return pre_receive(opts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
