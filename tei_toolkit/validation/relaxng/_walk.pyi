"""The walk in C (_walk.pyx, compiled with Cython): its interface for the type checker."""

from lxml import etree

from .patterns import Pattern

class Walker:
    def __init__(self, validation: object, root: etree._Element) -> None: ...
    def run(self, pattern: Pattern, root: etree._Element) -> Pattern: ...

class TooDeep(Exception): ...
