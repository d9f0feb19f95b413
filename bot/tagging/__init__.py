"""Pillar tagging: normalisation, keyword lexicon, naive Bayes, intent cues, similarity.

The bot uses :class:`Tagger` (built with :meth:`Tagger.from_catalogue`), which returns a
:class:`TagResult` per message and learns from officers' :class:`LabelledExample` s.
"""

from bot.tagging.tagger import Tagger, TagResult
from bot.tagging.training import LabelledExample

__all__ = ["LabelledExample", "TagResult", "Tagger"]
