"""Defects for pyflakes: each marked line is wrong on purpose."""
import os
import sys
from json import *


def f(x):
    y = 1  # local variable never used
    return undefined_name + x


def f(x):  # redefinition of unused 'f'
    return "%s %s" % (x,)


print(loads)
