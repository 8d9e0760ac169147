# The pickle chapter's Python 2 example of dump() ("Example",
# shared/seeds/001_1829bb5986b12849.txt). Unchanged: it is valid Python 3 as it stands.
# (Python 3's pickle.dump writes protocol 5 by default, not the protocol 0 its comment names.)

import pickle
data1 = {'a': [1, 2.0, 3, 4+6j],
         'b': ('string', u'Unicode string'),
         'c': None}
selfref_list = [1, 2, 3]
selfref_list.append(selfref_list)
output = open('data.pkl', 'wb')
# Pickle dictionary using protocol 0.
pickle.dump(data1, output)
# Pickle the list using the highest protocol available.
pickle.dump(selfref_list, output, -1)
output.close()
