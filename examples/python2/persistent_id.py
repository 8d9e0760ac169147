# The pickle chapter's Python 2 persistent-id example ("Pickling and unpickling external
# objects", shared/seeds/001_1829bb5986b12849.txt). Changed for Python 3, and only where its
# syntax or library demands it (a test undoes these changes and finds the rest in the seed):
#   was: from cStringIO import StringIO
#   now: from io import BytesIO as StringIO
#   was: print i
#   now: print(i)
#   was: print repr(datastream)
#   now: print(repr(datastream))
#   was: raise pickle.UnpicklingError, 'Invalid persistent id'
#   now: raise pickle.UnpicklingError('Invalid persistent id')
#   was: print j
#   now: print(j)

import pickle
from io import BytesIO as StringIO
src = StringIO()
p = pickle.Pickler(src)
def persistent_id(obj):
    if hasattr(obj, 'x'):
        return 'the value %d' % obj.x
    else:
        return None
p.persistent_id = persistent_id
class Integer:
    def __init__(self, x):
        self.x = x
    def __str__(self):
        return 'My name is integer %d' % self.x
i = Integer(7)
print(i)
p.dump(i)
datastream = src.getvalue()
print(repr(datastream))
dst = StringIO(datastream)
up = pickle.Unpickler(dst)
class FancyInteger(Integer):
    def __str__(self):
        return 'I am the integer %d' % self.x
def persistent_load(persid):
    if persid.startswith('the value '):
        value = int(persid.split()[2])
        return FancyInteger(value)
    else:
        raise pickle.UnpicklingError('Invalid persistent id')
up.persistent_load = persistent_load
j = up.load()
print(j)
