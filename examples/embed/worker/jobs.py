"""The job queue's record type, shared by the CPython service and the brine worker."""


class Task:
    """A unit of work: a name, a priority (higher runs first) and tags."""

    def __init__(self, name, priority, tags=()):
        self.name = name
        self.priority = priority
        self.tags = list(tags)

    def __eq__(self, other):
        return isinstance(other, Task) and vars(self) == vars(other)

    def __repr__(self):
        return f'Task({self.name!r}, {self.priority}, {self.tags})'
