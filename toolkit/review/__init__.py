"""Review of pulled annotations: label models and annotator competence.

Only the modules that import nothing of the stages are imported here: ``rule`` and
``quality`` import ``toolkit.aggregate``, which imports ``review.adjudicators``;
importing them here would make that a cycle. Import them by their full name.
"""

from . import competence, dawid_skene

__all__ = ["competence", "dawid_skene"]
