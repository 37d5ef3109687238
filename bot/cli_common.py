"""The Swedish command-line pieces every `python -m bot` command shares,
and the scripts behind `make validate`, `make inbox` and `make publish`.

`bot.cli` (registry, places, nearest, import, privacy) and `bot.report.cli`
(report, closure) both build on these, so neither imports the other's
private parts (that was an import cycle).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

__all__ = [
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "SwedishParser",
    "positive_int",
]

#: How staff run the command line from the repository (works without
#: activating the environment; plain `python -m bot` needs it activated).
PROG = ".venv-actions/bin/python -m bot"

#: Exit codes (documented in `bot.cli`'s docstring and in `--help`).
EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2

#: argparse's own (English) error messages, in Swedish.
_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), swedish)
    for pattern, swedish in (
        (r"the following arguments are required: ", "de här argumenten saknas: "),
        (r"unrecognized arguments: ", "okända argument: "),
        (r"one of the arguments (.+) is required", r"ett av argumenten \1 krävs"),
        (r"not allowed with argument ", "får inte användas tillsammans med "),
        (r"invalid choice: (.+) \(choose from (.+)\)", r"ogiltigt val: \1 (välj \2)"),
        (r"expected one argument", "väntade ett värde"),
        (r"expected at least one argument", "väntade minst ett värde"),
        (r"invalid (\w+) value: ", r"ogiltigt värde (\1): "),
        (r"ambiguous option: (.+) could match ", r"tvetydig flagga: \1 kan betyda "),
        (r"^argument ", "argumentet "),
    )
)


def _swedish_argparse(message: str) -> str:
    for pattern, swedish in _ARGPARSE_MESSAGES:
        message = pattern.sub(swedish, message)
    return message


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Swedish to the staff who run it."""

    def __init__(self, add_help: bool = True, **kwargs: Any) -> None:
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        if add_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help="visa den här hjälpen och avsluta",
            )

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "användning: ", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "användning: ", 1)

    def error(self, message: str) -> NoReturn:
        # one stream, one prefix for every error: "Fel: ", and a command that works
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USAGE,
            f"Fel: {_swedish_argparse(message)} (se `{self.prog} --help`)\n",
        )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} är inget heltal (skriv till exempel 3)"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError("ska vara minst 1")
    return value
