import importlib.util
import sys
from pathlib import Path

from api import bytecode


def test_workflow_modules_get_bytecode_without_writing_into_the_tree(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    assert bytecode.precompile("workflows") >= 5
    source = importlib.util.find_spec("workflows.kelahiran").origin
    assert Path(importlib.util.cache_from_source(source)).is_file()
    assert str(tmp_path) in importlib.util.cache_from_source(source)


def test_nothing_to_do_when_python_keeps_bytecode(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert bytecode.precompile("workflows") == 0
