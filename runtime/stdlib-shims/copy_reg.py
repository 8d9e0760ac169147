"""Python 2's copy_reg, renamed copyreg in Python 3: this module is `copyreg` itself.

`import copy_reg` binds the same module object as `import copyreg`, so registrations made
through either name (`copy_reg.pickle`, `copy_reg.add_extension`, ...) are one registry.
"""

import copyreg
import sys

sys.modules[__name__] = copyreg
