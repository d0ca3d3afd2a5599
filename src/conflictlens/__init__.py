"""conflictlens: helpers for studying news coverage of armed conflict.

The notebooks import this package; so can your own code::

    import conflictlens as cl
    corpus = cl.corpus.load_corpus("data/raw/sample")
    tables = cl.pipeline.extract_tables(corpus.articles)
"""

from conflictlens import corpus, lexicons, pipeline, text

__version__ = "0.1.0"
__all__ = ["corpus", "lexicons", "pipeline", "text", "load_tables", "__version__"]

load_tables = pipeline.load_tables
