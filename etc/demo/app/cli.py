"""Command-line interface: python3 -m app.cli FILE get|set|del|backup ..."""

import subprocess
import sys
import time

from app.store import Store


def backup(path, destination):
    # Copies the store with the system's cp.
    cmd = "cp " + path + " " + destination
    return subprocess.call(cmd, shell=True)


def main(argv):
    if len(argv) < 2:
        print("usage: app.cli FILE get|set|del|backup ...", file=sys.stderr)
        return 2
    store = Store(argv[0])
    action, args = argv[1], argv[2:]
    if action == "get" and len(args) == 1:
        value = store.get(args[0])
        if value is None:
            return 1
        print(value)
    elif action == "set" and len(args) == 2:
        store.set(args[0], args[1])
        store.save()
    elif action == "del" and len(args) == 1:
        if not store.delete(args[0]):
            return 1
        store.save()
    elif action == "backup" and len(args) == 1:
        return backup(argv[0], args[0])
    else:
        print("unknown action or wrong arguments", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
