"""`signoff` entry point.

Subcommands are imported only when called, so the CI gate starts fast and never imports a web or
database framework; `signoff --version` answers before even click is imported.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from signoff import __version__
from signoff.errors import Error

EXIT_OK = 0
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; every `signoff.errors.Error` becomes a one-line message and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"signoff, version {__version__}\n")
        return _exit(EXIT_OK)
    prefetched = None
    try:
        if args[:1] == ["check"]:
            from signoff.cli import prefetch

            prefetched = prefetch.start(args[1:])  # git walks the range while click loads
        return _run_click(args, argv, {"prefetched": prefetched})
    except KeyboardInterrupt:  # before click, which reports it the same way, took over
        sys.stderr.write("aborted\n")
        return _exit(EXIT_USAGE)
    finally:
        if prefetched is not None:  # the check closed it after use, unless it never ran
            prefetched.close()


def _run_click(args: list[str], argv: list[str] | None, obj: dict[str, Any]) -> Any:
    import click

    from signoff.cli.app import cli

    try:
        rv = cli.main(args=argv, prog_name="signoff", standalone_mode=False, obj=obj)
    except click.exceptions.Exit as exc:
        return _exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return _exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        return _exit(EXIT_USAGE)
    except Error as exc:
        if "--verbose" in args:
            raise
        click.echo(f"signoff: error: {exc.diagnostics()}", err=True)
        return _exit(EXIT_USAGE)
    return _exit(rv if isinstance(rv, int) else EXIT_OK)


def _exit(code: int) -> Any:
    sys.exit(code)


def run() -> None:
    """The `signoff` console command: `main`, then leave without the interpreter's teardown.

    A range check leaves tens of thousands of small objects behind, and freeing them one by one
    at exit takes about 20 ms that buy nothing for a process about to end. Output is flushed
    first; a traceback (an unexpected error, or `--verbose`) still takes the normal way out.
    """
    if sys.argv[1:2] == ["check"]:
        # A check is short and builds many long-lived objects (every commit of the range) but
        # next to no cyclic garbage: the cycle collector would only scan them over and over.
        # The process ends with the check, so the collector is never turned back on.
        gc.disable()
    try:
        main()
        code = EXIT_OK
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or EXIT_OK
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (a closed pipe): say so by the exit code
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
