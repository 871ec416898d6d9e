"""Argument checks the command-line tools share, so that every one refuses a number below its
least in the same one line (argparse's usage and exit status 2) before any work starts."""

import argparse


def refuse_below(parser: argparse.ArgumentParser, *bounds: tuple[str, float | None, float]):
    """parser.error for the first (flag, value, least) whose value is below its least; a value
    of None (a flag not given) passes."""
    for flag, value, least in bounds:
        if value is not None and value < least:
            parser.error(f"{flag} must be >= {least}, got {value}")
