"""argparse in Swedish, for every command staff and editors run.

`SwedishArgumentParser` writes "användning:", "flaggor", "visa den här
hjälpen och avsluta", and argparse's own error messages in Swedish with the
prefix "Fel: ", on stderr, exit code 2. Used by `python -m bot` and the
scripts behind `make validate`, `make inbox` and `make publish`.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

__all__ = ["EXIT_USAGE", "SwedishArgumentParser", "swedish_argparse"]

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


def swedish_argparse(message: str) -> str:
    """argparse's English error message in Swedish."""
    for pattern, swedish in _ARGPARSE_MESSAGES:
        message = pattern.sub(swedish, message)
    return message


class SwedishArgumentParser(argparse.ArgumentParser):
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
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USAGE,
            f"Fel: {swedish_argparse(message)} (se `{self.prog} --help`)\n",
        )
