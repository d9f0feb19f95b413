"""Pillar tagging: normalisation, keyword lexicon, naive Bayes, the intent model, similarity.

The bot uses :class:`Tagger` (built with :meth:`Tagger.from_catalogue`), which returns a
:class:`TagResult` per message (its pillar and its :class:`Intent`) and learns pillars from
officers' :class:`LabelledExample` s.
"""

from bot.tagging.intent_model import Intent
from bot.tagging.tagger import Tagger, TagResult
from bot.tagging.training import LabelledExample

__all__ = ["Intent", "LabelledExample", "TagResult", "Tagger"]
