"""``{% page_errors as errors %}``: the error summary's lines for ``base.html``
(see ``egov.core.form_errors``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import template

from egov.core.form_errors import ErrorItem
from egov.core.form_errors import page_errors as collect

register = template.Library()


@register.simple_tag(takes_context=True)
def page_errors(context: template.Context) -> list[ErrorItem]:
    return collect(cast(Mapping[str, Any], context.flatten()))
