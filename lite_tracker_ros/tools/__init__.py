"""The ``lite-tracker`` subcommands, one module each (``add_arguments`` and ``run``)."""
