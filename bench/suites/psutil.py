"""The one part of psutil cloudpickle's test suite uses (`Process(pid).memory_info().rss`),
read from /proc, for both interpreters alike: psutil itself is a native package, which brine
cannot install. Put on the path by bench/package_suites.py; not part of brine."""
import collections
import os

_MemoryInfo = collections.namedtuple('pmem', 'rss vms')


class Process:
    def __init__(self, pid=None):
        self.pid = os.getpid() if pid is None else pid

    def memory_info(self):
        fields = {}
        with open(f'/proc/{self.pid}/status') as status:
            for line in status:
                name, _, value = line.partition(':')
                fields[name] = value.split()
        return _MemoryInfo(int(fields['VmRSS'][0]) * 1024, int(fields['VmSize'][0]) * 1024)
