"""Expected failures of an operation (bad input, conflicts). Their messages are written
for the person who asked, and the CLI and portal show them as they are."""


class OperationError(Exception):
    pass
