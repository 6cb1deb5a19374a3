"""A small JSON-backed key-value store."""

import json
import os
import tempfile


class Store:
    """Keeps string keys and values in a JSON file."""

    def __init__(self, path):
        self.path = path
        self.data = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.data = json.load(f)

    def get(self, key, default=None):
        return self.data.get(key, default)

    def set(self, key, value):
        if not isinstance(key, str) or not key:
            raise ValueError("key must be a non-empty string")
        self.data[key] = value

    def delete(self, key):
        return self.data.pop(key, None) is not None

    def keys(self):
        return sorted(self.data)

    def save(self):
        # Write to a temporary file first and rename it into place, so a
        # reader never sees a half-written file, even if the write is
        # interupted.
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".store-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.data, f, indent=2, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            os.unlink(tmp)
            raise
