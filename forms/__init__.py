"""Turns a questionnaire spec into WTForms forms, one form class per section.

Knows nothing about routes or the database: the responses package gives it a
spec and answers, and gets back forms and answer values.
"""
from forms.builder import SectionForm, section_form_class
from forms.kinds import KINDS, QuestionKind
from forms.spec import Section, Spec

__all__ = ["KINDS", "QuestionKind", "Section", "SectionForm", "Spec", "section_form_class"]
