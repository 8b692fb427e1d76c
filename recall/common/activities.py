"""Implementing the activities that workflows declare (workflows.activities)."""

from collections.abc import Callable
from typing import TypeVar

from temporalio import activity

F = TypeVar("F", bound=Callable)


def implements(declaration: Callable) -> Callable[[F], F]:
    """Register the decorated method under the declared activity's name, so the workflow's
    reference and the worker's implementation cannot drift apart."""
    name, _ = activity._Definition.get_name_and_result_type(declaration)
    return activity.defn(name=name)
