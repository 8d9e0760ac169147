"""Python 2's cPickle, for code written against it: this module is `pickle` itself.

`import cPickle` binds the very same module object as `import pickle` (whose Pickler and
Unpickler are Brine's native _pickle, as cPickle's were C), so `cPickle.dumps`, `cPickle.Pickler`,
`cPickle.HIGHEST_PROTOCOL` and the exceptions are pickle's.
"""

import pickle
import sys

sys.modules[__name__] = pickle
