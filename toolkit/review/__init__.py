"""Review of pulled annotations: label models and annotator competence."""

from . import competence, dawid_skene

__all__ = ["competence", "dawid_skene"]
