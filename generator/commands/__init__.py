"""The commands of `python -m generator`: each module declares its arguments and runs them.

`emit` (write or check the templates) is the default command: its options live on the main
parser. The others are subcommands; each module declares NAME, HELP, DESCRIPTION,
`add_arguments(parser)` and `run(args)`, and imports what `run` needs when it runs.
"""
