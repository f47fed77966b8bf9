"""The commands of `python -m generator`: each module declares its arguments and runs them.

`emit` (write or check the templates) is the default command: its options live on the main
parser. The others are subcommands; each module has `add_parser(subcommands)`.
"""
