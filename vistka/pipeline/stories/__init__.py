"""Stories stage: which story an article belongs to, and its related posts (docs/stories.md).

No database: `StoryIndex` (index.py: online clustering, candidates, related posts) over `Doc`s
(terms.py: the terms and evidence of one article), near-duplicates by MinHash LSH (duplicates.py).

The database side, imported by module: `grouping` (applies the index to stored articles: one warm
index per process synced from the StoryChange log; editors' merges and splits) and `settle` (the last
day's arrivals decided again in publication order).
"""

from vistka.pipeline.stories.index import StoryIndex, StoryParams
from vistka.pipeline.stories.terms import Doc

__all__ = ["Doc", "StoryIndex", "StoryParams"]
