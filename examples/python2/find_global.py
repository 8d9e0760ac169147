# cPickle's find_global, as the pickle chapter's Python 2 rendering describes it under
# "Subclassing Unpicklers" (shared/seeds/001_1829bb5986b12849.txt): "set the unpickler's
# find_global attribute to a function or None. If it is None then any attempts to unpickle
# instances will raise an UnpicklingError. If it is a function, then it should accept a module
# name and a class name, and return the corresponding class object. ... it may raise an error
# to prevent instances of the class from being unpickled." The chapter gives no code for this,
# so this example is written here, in the cPickle style of its time.

import cPickle
from io import BytesIO as StringIO


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Shell:
    pass


data = cPickle.dumps([Point(1, 2), {'plain': 'data'}], 2)

# None: no globals at all, so no instances.
up = cPickle.Unpickler(StringIO(data))
up.find_global = None
try:
    up.load()
except cPickle.UnpicklingError as e:
    print('refused: %s' % e)

# Plain data needs no globals and still loads.
up = cPickle.Unpickler(StringIO(cPickle.dumps({'plain': ['data', 1]}, 2)))
up.find_global = None
print(up.load())

# A function: it names the classes it allows and refuses the rest.
SAFE = {('__main__', 'Point'): Point}


def find_global(module, name):
    try:
        return SAFE[module, name]
    except KeyError:
        raise cPickle.UnpicklingError('%s.%s is not allowed' % (module, name))


up = cPickle.Unpickler(StringIO(data))
up.find_global = find_global
points = up.load()
print('%s %d %d' % (type(points[0]).__name__, points[0].x, points[0].y))

up = cPickle.Unpickler(StringIO(cPickle.dumps(Shell(), 2)))
up.find_global = find_global
try:
    up.load()
except cPickle.UnpicklingError as e:
    print('refused: %s' % e)
