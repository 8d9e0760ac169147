# The pickle chapter's Python 2 example of load() with pprint ("Example",
# shared/seeds/001_1829bb5986b12849.txt), reading what dump_data.py wrote. Unchanged: it is
# valid Python 3 as it stands.

import pprint, pickle
pkl_file = open('data.pkl', 'rb')
data1 = pickle.load(pkl_file)
pprint.pprint(data1)
data2 = pickle.load(pkl_file)
pprint.pprint(data2)
pkl_file.close()
