"""Sources stage: where articles come from and when to look again.

Reading a source (no database): `read_feed` turns RSS/Atom (feedparser), JSON Feed (jsonfeed.py) or a news
sitemap (sitemaps.py) into `FeedEntry`s, links normalised by urlclean.py and every date by dates.py;
`discover` finds a site's feeds; `read_opml`/`write_opml` move source lists.

The database side, imported by module: `health` (a poll's outcome on the Source), `schedule` (the next
poll, due sources, the `vistka run` loop), `pending` (which entries of a feed are new, one look-up).
"""

from vistka.pipeline.sources.dates import clamp_to_plausible, normalise_date
from vistka.pipeline.sources.discovery import Discovered, DiscoveryError, discover
from vistka.pipeline.sources.feedreader import FeedEntry, FeedError, ParsedFeed, read_feed
from vistka.pipeline.sources.opml import OpmlError, Outline, read_opml, write_opml

__all__ = ["Discovered", "DiscoveryError", "FeedEntry", "FeedError", "OpmlError", "Outline", "ParsedFeed",
           "clamp_to_plausible", "discover", "normalise_date", "read_feed", "read_opml", "write_opml"]
