"""Review of pulled annotations: label models and annotator competence."""

from . import dawid_skene

__all__ = ["dawid_skene"]
