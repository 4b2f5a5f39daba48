"""The exception the native module raises for a scenario with problems."""


class ScenarioError(ValueError):
    """The scenario, or one of its mods, variants or sets, has problems.

    ``messages`` lists them in the order found, each located as
    ``file:line:col: message; hint`` (as ``tianxia validate`` prints them); from
    :func:`tianxia.batch`, each begins with the arm it was found in (``in arm `x`: ``).
    """

    def __init__(self, messages):
        self.messages = list(messages)
        n = len(self.messages)
        head = f"{n} problem{'' if n == 1 else 's'} found"
        super().__init__("\n".join([head, *self.messages]))

    def __reduce__(self):
        # Pickled (multiprocessing, concurrent.futures), it is rebuilt from its messages.
        return (type(self), (self.messages,))
