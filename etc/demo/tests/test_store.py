"""Unit tests for app.store."""

import os
import tempfile
import unittest

from app.store import Store


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "store.json")

    def tearDown(self):
        self.tmp.cleanup()

    def test_empty_store(self):
        store = Store(self.path)
        self.assertEqual(store.keys(), [])
        self.assertIsNone(store.get("missing"))

    def test_set_and_get(self):
        store = Store(self.path)
        store.set("colour", "blue")
        self.assertEqual(store.get("colour"), "blue")

    def test_save_and_reload(self):
        store = Store(self.path)
        store.set("a", "1")
        store.set("b", "2")
        store.save()
        self.assertEqual(Store(self.path).keys(), ["a", "b"])

    def test_delete(self):
        store = Store(self.path)
        store.set("a", "1")
        self.assertTrue(store.delete("a"))
        self.assertFalse(store.delete("a"))

    def test_bad_key(self):
        store = Store(self.path)
        with self.assertRaises(ValueError):
            store.set("", "x")


if __name__ == "__main__":
    unittest.main()
