"""A user-supplied transform: what the worker runs on each batch it receives.

Urgent tasks jump the queue, finished ones are dropped, and the batch is sorted by priority.
"""


def transform(tasks):
    kept = [t for t in tasks if 'done' not in t.tags]
    for task in kept:
        if 'urgent' in task.tags:
            task.priority += 10
            task.tags.append('bumped')
    return sorted(kept, key=lambda t: -t.priority)
