"""`python -m signoff.hook pre-receive ...`: the installed hook's light entry point.

Same command object and options as `signoff hook pre-receive`, without importing the CLI
package. Exit codes: 0 accept, 1 refuse, 2 usage (git refuses the push on any non-zero).
"""

from __future__ import annotations

import click

from signoff.hook.command import pre_receive


@click.group()
def main() -> None:
    """The signoff git hook (see `signoff hook --help`)."""


main.add_command(pre_receive)

if __name__ == "__main__":
    main(prog_name="python -m signoff.hook")
