"""dvcanalysis: reproducible analysis of Vietnam's online public services.

The flow runs one way (see ``shared/DESIGN.md``)::

    data/ -> evidence, units -> uptake, savings, targets -> fmt, plots, explore
          -> notebooks/ -> render, cli

Import submodules explicitly (``from dvcanalysis import evidence``); the package
itself imports nothing heavy so that the CLI starts fast.
"""

from dvcanalysis.errors import InputError

__version__ = "0.2.0"
__all__ = ["InputError", "__version__"]
