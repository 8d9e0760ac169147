"""Persistent ids: records that live in a database are pickled as references to their rows.

Written for Brine in the spirit of the pickle chapter's "Persistence of External Objects"
(whose own example is not part of the chapter's text). A pickler gives every Record a
persistent id, ("record", key); the unpickler resolves that id by reading the row from an
in-memory SQLite database. A record changed in the database after pickling is therefore
loaded as the database now has it, while everything else in the pickle is ordinary data.
"""

import io
import pickle
import sqlite3
from collections import namedtuple

Record = namedtuple('Record', 'key task')


class RecordPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Record):
            return ('record', obj.key)
        return None  # pickle everything else as usual


class RecordUnpickler(pickle.Unpickler):
    def __init__(self, file, connection):
        super().__init__(file)
        self.connection = connection

    def persistent_load(self, pid):
        kind, key = pid
        if kind != 'record':
            raise pickle.UnpicklingError(f'unsupported persistent object: {kind!r}')
        row = self.connection.execute('SELECT key, task FROM records WHERE key = ?', (key,)).fetchone()
        return Record(*row)


def main():
    db = sqlite3.connect(':memory:')
    db.execute('CREATE TABLE records (key INTEGER PRIMARY KEY, task TEXT)')
    db.executemany('INSERT INTO records VALUES (?, ?)',
                   [(1, 'give food to fish'), (2, 'prepare group meeting'), (3, 'fight with a zebra')])
    records = [Record(*row) for row in db.execute('SELECT key, task FROM records ORDER BY key')]
    snapshot = {'owner': 'brine', 'records': records, 'count': len(records)}

    file = io.BytesIO()
    RecordPickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(snapshot)
    print('pickled', len(file.getvalue()), 'bytes; the task texts are not in it:',
          b'zebra' not in file.getvalue())

    db.execute("UPDATE records SET task = 'learn italian' WHERE key = 1")
    file.seek(0)
    loaded = RecordUnpickler(file, db).load()
    print('owner', loaded['owner'], 'count', loaded['count'])
    for record in loaded['records']:
        print(record)


if __name__ == '__main__':
    main()
